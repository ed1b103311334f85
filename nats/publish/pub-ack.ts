import { headers, type Msg, type MsgHdrs } from '@nats-io/transport-node';

export const MSG_ID = 'Nats-Msg-Id';

const decoder = new TextDecoder();

/** What a reply to a JetStream publish says, read without a full JSON parse in the common case. */
export type PubAckReply =
  | { kind: 'ack'; seq: number; duplicate: boolean }
  /**
   * The server refused it (a JetStream API error). A resend cannot help, except after code 503
   * ("JetStream system temporarily unavailable", e.g. while a restarted server loads its store).
   */
  | { kind: 'rejected'; error: string; code?: number; errCode?: number }
  /** No body: 503 (no stream captures the subject) or another status. */
  | { kind: 'status'; code: number; description: string }
  | { kind: 'unreadable' };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ZERO = 0x30;
/** How every PubAck starts: the server writes an error first (`{"error":…}`) when there is one. */
const ACK_START = ascii('{"stream":"');
const SEQ_KEY = ascii('"seq":');
const DUPLICATE_KEY = ascii('"duplicate":');

/**
 * A PubAck is `{"stream":"S","seq":N[,"domain":"D"][,"duplicate":true]…}` or `{"error":{…}…}`.
 * This turns over once per published message, so an ack is read from its bytes (no decoding,
 * no JSON.parse, no string per ack); anything else gets a full parse.
 */
export function readPubAck(m: Msg): PubAckReply {
  const d = m.data;
  if (d.length === 0) {
    const h = m.headers;
    return { kind: 'status', code: h?.code ?? 0, description: h?.description ?? '' };
  }
  return readAckBytes(d) ?? parsePubAck(d);
}

/** The common case, from the bytes; undefined for anything not shaped like an ack. */
function readAckBytes(d: Uint8Array): PubAckReply | undefined {
  if (!bytesAt(d, 0, ACK_START)) return undefined;
  // Past the stream name (JSON-escaped: skip what follows a backslash).
  let i = ACK_START.length;
  while (i < d.length && d[i] !== QUOTE) i += d[i] === BACKSLASH ? 2 : 1;
  i = skipSpace(d, i + 1);
  if (d[i] !== 0x2c /* , */) return undefined;
  i = skipSpace(d, i + 1);
  if (!bytesAt(d, i, SEQ_KEY)) return undefined;
  i = skipSpace(d, i + SEQ_KEY.length);
  let seq = 0;
  const first = i;
  for (; i < d.length && d[i] >= ZERO && d[i] <= ZERO + 9; i++) seq = seq * 10 + d[i] - ZERO;
  if (i === first) return undefined;
  // Later keys (domain, duplicate, newer servers' batch fields) in any order.
  const at = indexOf(d, DUPLICATE_KEY, i);
  const duplicate = at >= 0 && d[skipSpace(d, at + DUPLICATE_KEY.length)] === 0x74; /* t */
  return { kind: 'ack', seq, duplicate };
}

/** Errors and anything unusual: a full parse. */
function parsePubAck(d: Uint8Array): PubAckReply {
  let r: {
    error?: { description?: string; code?: number; err_code?: number };
    seq?: unknown;
    duplicate?: unknown;
  };
  try {
    r = JSON.parse(decoder.decode(d)) as typeof r;
  } catch {
    return { kind: 'unreadable' };
  }
  if (r?.error)
    return {
      kind: 'rejected',
      error: r.error.description ?? 'publish rejected',
      code: r.error.code,
      errCode: r.error.err_code,
    };
  if (typeof r?.seq === 'number') return { kind: 'ack', seq: r.seq, duplicate: r.duplicate === true };
  return { kind: 'unreadable' };
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function bytesAt(d: Uint8Array, at: number, what: Uint8Array): boolean {
  if (at + what.length > d.length) return false;
  for (let j = 0; j < what.length; j++) if (d[at + j] !== what[j]) return false;
  return true;
}

/** A loop, not `Uint8Array.indexOf`: what follows the sequence is a few bytes, a native call costs more. */
function indexOf(d: Uint8Array, what: Uint8Array, from: number): number {
  for (let i = from; i + what.length <= d.length; i++) if (d[i] === what[0] && bytesAt(d, i, what)) return i;
  return -1;
}

function skipSpace(d: Uint8Array, i: number): number {
  while (d[i] === 0x20) i++;
  return i;
}

/**
 * JetStream's "store failed" (err_code 10077) and "insufficient resources" (10023) come with
 * code 503 too, but are final: a stream with `discard: new` at its max_bytes / max_msgs /
 * max_msgs_per_subject ("maximum bytes exceeded"...), or an account out of storage. A resend
 * is refused the same way until someone makes room.
 */
const STORE_FULL_ERR_CODES = new Set([10077, 10023]);

/** The stream (or the account) refused to store the message for lack of room: final. */
export function isStreamFull(r: PubAckReply): boolean {
  return r.kind === 'rejected' && r.errCode !== undefined && STORE_FULL_ERR_CODES.has(r.errCode);
}

/** A 503 with or without a body: no stream (yet), or JetStream not ready. Worth a retry for a while. */
export function isUnavailable(r: PubAckReply): boolean {
  return (r.kind === 'status' || r.kind === 'rejected') && r.code === 503 && !isStreamFull(r);
}

/** The reply token after `<inbox>.`, as a number (numbers hash cheaper than strings). */
export function replyToken(m: Msg, inbox: string): number {
  return Number(m.subject.slice(inbox.length + 1));
}

/**
 * nats.js headers with Nats-Msg-Id first, then `extra` in order; undefined when there is
 * nothing to send. nats.js refuses line breaks in values and invalid names (header injection).
 */
export function msgHeaders(msgId: string | undefined, extra?: Record<string, string>): MsgHdrs | undefined {
  if (msgId === undefined && !extra) return undefined;
  const h = headers();
  // append, not set: the block is new, so there is nothing to replace (set searches twice).
  if (msgId !== undefined) h.append(MSG_ID, msgId);
  if (extra) for (const k in extra) h.append(k, extra[k]);
  return h;
}

/** Bytes `h` takes on the wire ("NATS/1.0\r\n", a "name: value\r\n" line each, "\r\n"). */
export function headersSize(h: MsgHdrs | undefined): number {
  if (!h) return 0;
  let n = 12;
  for (const [k, vs] of h) for (const v of vs) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 4;
  return n;
}
