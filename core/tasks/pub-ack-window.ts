import type { NatsConnection } from '@nats-io/transport-node';
import { isStreamFull, isUnavailable, msgHeaders, type PubAckReply } from '../../nats/publish/pub-ack';
import { PubAckTracker, Sent } from '../../nats/publish/pub-ack-tracker';

/**
 * How long a 503 (no stream captures the subject, or JetStream temporarily unavailable) is taken
 * for a stream still loading after a server restart or a leader change, and the message re-sent,
 * before it is final.
 */
export const NO_STREAM_GRACE_MS = 5000;

/**
 * A message for JetStream: its Nats-Msg-Id makes re-sending after a timeout safe. Without one
 * (KV puts of a whole state, where a second copy is harmless) no dedup entry is kept.
 */
export interface OutMsg {
  subject: string;
  data: string | Uint8Array;
  msgId?: string;
  headers?: Record<string, string>;
}

export type AckResult =
  | { ok: true; seq: number; duplicate: boolean }
  /** `stream_full`: the stream refused it for lack of room (discard new at a limit): final. */
  | { ok: false; error: string; code: 'timeout' | 'nats_error' | 'not_connected' | 'stream_full' };

class Pending extends Sent {
  constructor(
    readonly msg: OutMsg,
    readonly giveUpMs: number,
    readonly done: (r: AckResult) => void,
  ) {
    super();
  }
}

export interface WindowOptions {
  /** Messages awaiting a PubAck at most (memory stays bounded). */
  window?: number;
  /** No PubAck after this long → resend with the same Nats-Msg-Id. */
  ackTimeoutMs?: number;
  /** Give up (error 'timeout') once a message has been outstanding this long. */
  giveUpMs?: number;
}

/**
 * Task publishing (single, bulk, retry, control messages): the window caps what is in flight;
 * whatever times out (a disconnect drops it: nats.js has no reconnect buffer) is resent with
 * the same Nats-Msg-Id, so the stream's dedup keeps it once.
 */
export class PubAckWindow extends PubAckTracker<Pending> {
  private readonly giveUpMs: number;
  private closed = false;
  /** Answered 503 within NO_STREAM_GRACE_MS of the first send: re-sent by the next sweep. */
  private readonly unavailable = new Set<Pending>();

  constructor(nc: NatsConnection, opts: WindowOptions = {}) {
    const ackTimeoutMs = opts.ackTimeoutMs ?? 5000;
    super(nc, opts.window ?? 4096, ackTimeoutMs, Math.min(1000, ackTimeoutMs / 2));
    this.giveUpMs = opts.giveUpMs ?? 60_000;
  }

  /** The connection it publishes on (the task state's readers share it). */
  get connection(): NatsConnection {
    return this.nc;
  }

  /** Sends now (call `ready()` first to respect the window); `done` gets the PubAck. */
  send(msg: OutMsg, done: (r: AckResult) => void, giveUpMs = this.giveUpMs): void {
    if (this.closed) {
      done({ ok: false, error: 'publisher closed (disconnected)', code: 'not_connected' });
      return;
    }
    this.start(new Pending(msg, giveUpMs, done));
  }

  async publish(msg: OutMsg, giveUpMs?: number): Promise<AckResult> {
    await this.ready();
    return new Promise((resolve) => this.send(msg, resolve, giveUpMs));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unavailable.clear();
    for (const p of this.stopTracking())
      p.done({ ok: false, error: 'disconnected before the server acknowledged', code: 'not_connected' });
  }

  protected write(p: Pending, reply: string): void {
    const { subject, msgId, headers, data } = p.msg;
    this.publishMsg(subject, reply, msgHeaders(msgId, headers), data);
  }

  protected sendFailed(p: Pending, err: Error): void {
    // Closed connection or an invalid subject: final, no retry would help.
    this.settle(p, {
      ok: false,
      error: err.message,
      code: this.nc.isClosed() ? 'not_connected' : 'nats_error',
    });
  }

  protected acked(p: Pending, r: PubAckReply): void {
    // Also while a restarted server loads its streams: retry for a while before it is final.
    if (isUnavailable(r) && Date.now() - p.firstSentAt < NO_STREAM_GRACE_MS) {
      this.unavailable.add(p);
      return;
    }
    switch (r.kind) {
      case 'ack':
        // After a resend, "duplicate" most likely means our own first send was stored.
        return this.settle(p, { ok: true, seq: r.seq, duplicate: r.duplicate && p.resends === 0 });
      case 'rejected':
        if (isStreamFull(r))
          return this.settle(p, {
            ok: false,
            error: `the TASKS stream is full and refuses new tasks: ${r.error}`,
            code: 'stream_full',
          });
        return this.settle(p, { ok: false, error: r.error, code: 'nats_error' });
      case 'status':
        return this.settle(p, {
          ok: false,
          error:
            r.code === 503 ? `no stream captures ${p.msg.subject}` : `server replied with status ${r.code}`,
          code: 'nats_error',
        });
      case 'unreadable':
        return this.settle(p, { ok: false, error: 'unreadable PubAck', code: 'nats_error' });
    }
  }

  protected stale(p: Pending, now: number): void {
    if (now - p.firstSentAt >= p.giveUpMs) {
      this.settle(p, {
        ok: false,
        error: `no PubAck within ${Math.round(p.giveUpMs / 1000)} s`,
        code: 'timeout',
      });
    } else this.resend(p, now);
  }

  protected override beforeSweep(): boolean {
    if (this.nc.isClosed()) {
      this.close();
      return false;
    }
    const now = Date.now();
    for (const p of this.unavailable) if (this.pending.has(p)) this.stale(p, now);
    this.unavailable.clear();
    return true;
  }

  private settle(p: Pending, r: AckResult): void {
    if (this.unavailable.size) this.unavailable.delete(p);
    if (this.forget(p)) p.done(r);
  }
}
