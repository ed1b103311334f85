import { headers, type Msg, type MsgHdrs } from '@nats-io/transport-node';

export const MSG_ID = 'Nats-Msg-Id';

const decoder = new TextDecoder();
/** Server 2.9 writes `"duplicate": true` (with a space); encoding/json would write none. */
const DUPLICATE = /"duplicate":\s*true/;

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

/**
 * A PubAck is `{"stream","seq"[,"domain"][,"duplicate"]}` or `{"error":{...}}`; this turns over
 * once per published message, so only errors get a full parse.
 */
export function readPubAck(m: Msg): PubAckReply {
  if (m.data.length === 0) {
    const h = m.headers;
    return { kind: 'status', code: h?.code ?? 0, description: h?.description ?? '' };
  }
  const text = decoder.decode(m.data);
  if (text.includes('"error"')) {
    try {
      const e = (JSON.parse(text) as { error?: { description?: string; code?: number; err_code?: number } })
        .error;
      return {
        kind: 'rejected',
        error: e?.description ?? 'publish rejected',
        code: e?.code,
        errCode: e?.err_code,
      };
    } catch {
      return { kind: 'unreadable' };
    }
  }
  const at = text.indexOf('"seq":');
  if (at < 0) return { kind: 'unreadable' };
  return { kind: 'ack', seq: parseInt(text.slice(at + 6), 10), duplicate: DUPLICATE.test(text) };
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
