export type JsonCheck =
  { ok: true; value: unknown } | { ok: false; message: string; line: number; column: number };

/** Parses JSON; on failure reports the 1-based line and column of the problem. Empty = null. */
export function checkJson(text: string): JsonCheck {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const message = (err as Error).message;
    const pos = errorOffset(message, text);
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    return { ok: false, message: cleanMessage(message), line, column };
  }
}

/** V8 says "... at position N" (sometimes also "(line L column C)"); the end of input otherwise. */
function errorOffset(message: string, text: string): number {
  const m = /position (\d+)/.exec(message);
  if (m) return Math.min(Number(m[1]), text.length);
  return text.length;
}

function cleanMessage(message: string): string {
  return message
    .replace(/^JSON\.parse: /, '')
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/\s*\(line \d+ column \d+\)$/, '');
}
