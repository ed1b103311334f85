/*
 * The small JSON path language of message search: `customer.name`, `$.items[0].sku`,
 * `items[*].sku`, `["key.with.dots"]`. One parser for the contract's schema, the search form
 * and the core's matcher.
 */

export type PathStep = { key: string } | { index: number } | { any: true };

export const MAX_PATH_LENGTH = 512;
export const MAX_PATH_STEPS = 32;

/** Parses a path into steps; throws an Error whose message says what is wrong and where. */
export function parseJsonPath(path: string): PathStep[] {
  const s = path.trim();
  if (!s) throw new Error('path is empty');
  if (s.length > MAX_PATH_LENGTH) throw new Error(`path is longer than ${MAX_PATH_LENGTH} characters`);
  let i = 0;
  if (s[0] === '$') {
    i = 1;
    if (s[1] === '.') i = 2;
  }
  const steps: PathStep[] = [];
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${i + 1}`);
  };
  let needKey = i === 0 || s[i - 1] === '.';
  while (i < s.length) {
    const c = s[i];
    if (c === '[') {
      const close = s.indexOf(']', i);
      if (close < 0) fail('missing "]"');
      const inner = s.slice(i + 1, close).trim();
      if (inner === '*') steps.push({ any: true });
      else if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) steps.push({ key: JSON.parse(inner) as string });
      else fail('expected a number, * or a "quoted key" inside [ ]');
      i = close + 1;
      needKey = false;
      if (s[i] === '.') {
        i++;
        needKey = true;
        if (i >= s.length) fail('path ends with "."');
      }
      continue;
    }
    if (c === '.') fail('empty key');
    let j = i;
    while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
    const key = s.slice(i, j);
    if (!needKey && steps.length) fail('expected "." or "["');
    steps.push(key === '*' ? { any: true } : { key });
    i = j;
    needKey = false;
    if (s[i] === '.') {
      i++;
      needKey = true;
      if (i >= s.length) fail('path ends with "."');
    }
  }
  if (steps.length > MAX_PATH_STEPS) throw new Error(`path has more than ${MAX_PATH_STEPS} steps`);
  return steps;
}

/** The path's problem in words, or undefined when it parses. */
export function jsonPathProblem(path: string): string | undefined {
  try {
    parseJsonPath(path);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Every value the path reaches in `doc` (several with `[*]`); empty when it reaches none. */
export function valuesAt(doc: unknown, steps: readonly PathStep[]): unknown[] {
  let cur: unknown[] = [doc];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      if ('any' in step) {
        next.push(...(Array.isArray(v) ? v : Object.values(v)));
      } else if ('index' in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      } else if (!Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, step.key)) {
        next.push((v as Record<string, unknown>)[step.key]);
      }
    }
    if (!next.length) return [];
    cur = next;
  }
  return cur;
}
