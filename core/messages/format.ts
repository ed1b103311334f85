import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { BrowsedMessage, ContentType } from '../../api/features/messages';

/** A stored message as the readers return it: raw bytes, server time in ms. */
export interface RawMsg {
  seq: number;
  subject: string;
  timeMs: number;
  headers?: Record<string, string[]>;
  data: Uint8Array;
}

/** Headers the server adds to direct-get replies; not part of the stored message. */
const DIRECT_GET_HEADERS = new Set([
  'nats-stream',
  'nats-sequence',
  'nats-time-stamp',
  'nats-subject',
  'nats-last-sequence',
  'nats-num-pending',
]);

export function headersToRecord(
  h: MsgHdrs | undefined,
  dropDirect = false,
): Record<string, string[]> | undefined {
  if (!h) return undefined;
  const out: Record<string, string[]> = {};
  let n = 0;
  for (const k of h.keys()) {
    if (dropDirect && DIRECT_GET_HEADERS.has(k.toLowerCase())) continue;
    out[k] = h.values(k);
    n++;
  }
  return n ? out : undefined;
}

export function recordToHeaders(rec: Record<string, string[]> | undefined): MsgHdrs | undefined {
  if (!rec) return undefined;
  const keys = Object.keys(rec);
  if (!keys.length) return undefined;
  const h = natsHeaders();
  for (const k of keys) for (const v of rec[k]) h.append(k, v);
  return h;
}

/** Parses a raw NATS header block ("NATS/1.0\r\nK: V\r\n\r\n") as STREAM.MSG.GET returns it. */
export function parseHeaderBlock(block: string): Record<string, string[]> | undefined {
  const lines = block.split('\r\n');
  const out: Record<string, string[]> = {};
  let n = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const c = line.indexOf(':');
    if (c <= 0) continue;
    const k = line.slice(0, c).trim();
    const v = line.slice(c + 1).trim();
    (out[k] ??= []).push(v);
    n++;
  }
  return n ? out : undefined;
}

export function headerValue(h: Record<string, string[]> | undefined, name: string): string | undefined {
  if (!h) return undefined;
  const lower = name.toLowerCase();
  for (const k of Object.keys(h)) if (k.toLowerCase() === lower) return h[k][0];
  return undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** json / text / binary guess from the first bytes (the UI lets the user switch). */
export function guessContentType(data: Uint8Array, truncated: boolean): ContentType {
  if (data.length === 0) return 'text';
  let text: string;
  try {
    text = strictUtf8.decode(data, { stream: truncated });
  } catch {
    return 'binary';
  }
  // Control characters other than tab/newline/CR mean binary.
  if (hasControlChars(text)) return 'binary';
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    if (truncated) return 'json';
    try {
      JSON.parse(text);
      return 'json';
    } catch {
      return 'text';
    }
  }
  return 'text';
}

export function isUtf8Text(data: Uint8Array): boolean {
  return guessContentType(data, false) !== 'binary';
}

export function toBrowsed(m: RawMsg, previewBytes: number): BrowsedMessage {
  const truncated = m.data.length > previewBytes;
  const shown = truncated ? m.data.subarray(0, previewBytes) : m.data;
  return {
    seq: m.seq,
    subject: m.subject,
    time: new Date(m.timeMs).toISOString(),
    size: m.data.length,
    headers: m.headers,
    data: Buffer.from(shown.buffer, shown.byteOffset, shown.byteLength).toString('base64'),
    truncated,
    contentType: guessContentType(shown, truncated),
  };
}

/** ns-since-epoch text (from a JetStream ack subject) to ms. */
export function nanosTextToMs(ns: string): number {
  return ns.length > 6 ? Number(ns.slice(0, -6)) : 0;
}

export function rfc3339ToMs(t: string): number {
  return Date.parse(t);
}

function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
  }
  return false;
}
