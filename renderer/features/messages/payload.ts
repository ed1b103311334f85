import type { ContentType } from '../../../api/features/messages';

export type PayloadView = 'json' | 'text' | 'hex' | 'base64';

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const lenient = new TextDecoder('utf-8');

export function bytesToText(b: Uint8Array): string {
  return lenient.decode(b);
}

/** Classic hex dump: offset, 16 bytes in hex, printable ASCII. */
export function hexDump(b: Uint8Array, maxBytes = 64 * 1024): string {
  const lines: string[] = [];
  const n = Math.min(b.length, maxBytes);
  for (let off = 0; off < n; off += 16) {
    const row = b.subarray(off, Math.min(off + 16, n));
    const hex = Array.from(row, (x) => x.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (x) => (x >= 32 && x < 127 ? String.fromCharCode(x) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (b.length > n) lines.push(`… ${b.length - n} more bytes`);
  return lines.join('\n');
}

export function defaultView(ct: ContentType): PayloadView {
  return ct === 'json' ? 'json' : ct === 'text' ? 'text' : 'hex';
}

export function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** One line of the payload for the list: whitespace collapsed, cut short. */
export function previewLine(b64: string, ct: ContentType, max = 160): string {
  if (ct === 'binary') return `binary · ${hexDump(base64ToBytes(b64).subarray(0, 12)).slice(10, 45).trim()}…`;
  const t = bytesToText(base64ToBytes(b64).subarray(0, max * 2)).replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Starts a browser download of `data` (works in Electron and in the browser). */
export function download(filename: string, data: BlobPart, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
