import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { FrameWriter } from '../publish/frame-writer';
import { headerBlock, isUnavailable, readPubAck, replyToken } from '../publish/pub-ack';

/**
 * How long a 503 (no stream captures the subject, or JetStream temporarily unavailable) is taken
 * for a stream still loading after a server restart or a leader change, and the message re-sent,
 * before it is final.
 */
const NO_STREAM_GRACE_MS = 5000;

/** A message for JetStream: its Nats-Msg-Id makes re-sending after a timeout safe. */
export interface OutMsg {
  subject: string;
  /** A string is written as UTF-8 straight into the frame (no per-message encode). */
  data: string | Uint8Array;
  msgId: string;
  headers?: Record<string, string>;
}

export type AckResult =
  | { ok: true; seq: number; duplicate: boolean }
  | { ok: false; error: string; code: 'timeout' | 'nats_error' | 'not_connected' };

/**
 * A class, not an object literal: a literal's allocation site sees every instance survive a
 * PubAck round trip, so V8 pretenures them and old-space GC then runs at the publish rate.
 */
class Pending {
  resends = 0;
  constructor(
    readonly msg: OutMsg,
    readonly token: number,
    public sentAt: number,
    readonly firstSentAt: number,
    readonly giveUpMs: number,
    readonly done: (r: AckResult) => void,
  ) {}
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
 * Publishes to JetStream with core `nc.publish(subject, data, { reply })` and counts PubAcks as
 * they arrive on one wildcard inbox: about 4× what awaiting `js.publish` per message does. The
 * window caps what is in flight; whatever times out (a disconnect drops it: nats.js has no
 * reconnect buffer) is resent with the same Nats-Msg-Id, so the stream's dedup keeps it once.
 */
export class PubAckWindow {
  private readonly inbox: string;
  private readonly sub: Subscription;
  /** In send order: a resend moves its entry to the end. */
  private readonly pending = new Map<number, Pending>();
  private nextToken = 1;
  private waiters: (() => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;
  private readonly window: number;
  private readonly ackTimeoutMs: number;
  private readonly giveUpMs: number;
  private closed = false;
  private readonly writer: FrameWriter;
  /** Answered 503 within NO_STREAM_GRACE_MS of the first send: re-sent by the next sweep. */
  private readonly unavailable = new Set<Pending>();

  constructor(
    private readonly nc: NatsConnection,
    opts: WindowOptions = {},
  ) {
    this.window = opts.window ?? 4096;
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 5000;
    this.giveUpMs = opts.giveUpMs ?? 60_000;
    this.inbox = createInbox();
    this.writer = new FrameWriter(nc);
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, m) => this.onAck(m) });
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, this.ackTimeoutMs / 2));
    this.sweeper.unref();
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Resolves once there is room in the window (immediately when there is). */
  ready(): Promise<void> | undefined {
    if (this.pending.size < this.window) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Sends now (call `ready()` first to respect the window); `done` gets the PubAck. */
  send(msg: OutMsg, done: (r: AckResult) => void, giveUpMs = this.giveUpMs): void {
    if (this.closed) {
      done({ ok: false, error: 'publisher closed (disconnected)', code: 'not_connected' });
      return;
    }
    const now = Date.now();
    const p = new Pending(msg, this.nextToken++, now, now, giveUpMs, done);
    this.pending.set(p.token, p);
    this.transmit(p);
  }

  async publish(msg: OutMsg, giveUpMs?: number): Promise<AckResult> {
    await this.ready();
    return new Promise((resolve) => this.send(msg, resolve, giveUpMs));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const p of this.pending.values())
      p.done({ ok: false, error: 'disconnected before the server acknowledged', code: 'not_connected' });
    this.pending.clear();
    this.unavailable.clear();
    this.release();
  }

  private transmit(p: Pending): void {
    try {
      const { subject, msgId, headers, data } = p.msg;
      this.writer.publish(subject, `${this.inbox}.${p.token}`, headerBlock(msgId, headers), data);
    } catch (err) {
      // Closed connection or an invalid subject: final, no retry would help.
      this.settle(p, {
        ok: false,
        error: (err as Error).message,
        code: this.nc.isClosed() ? 'not_connected' : 'nats_error',
      });
    }
  }

  private onAck(m: Msg): void {
    const p = this.pending.get(replyToken(m, this.inbox));
    if (!p) return; // acked after a resend already settled it
    const r = readPubAck(m);
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

  private settle(p: Pending, r: AckResult): void {
    if (!this.pending.delete(p.token)) return;
    p.done(r);
    if (this.waiters.length && this.pending.size < this.window) this.release();
  }

  private release(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  /** Map order is send order (resends move to the end), so stop at the first recent one. */
  private sweep(): void {
    if (this.nc.isClosed()) return this.close();
    const now = Date.now();
    const stale = new Set([...this.unavailable].filter((p) => this.pending.has(p.token)));
    this.unavailable.clear();
    for (const p of this.pending.values()) {
      if (now - p.sentAt < this.ackTimeoutMs) break;
      stale.add(p);
    }
    for (const p of stale) {
      if (now - p.firstSentAt >= p.giveUpMs) {
        this.settle(p, {
          ok: false,
          error: `no PubAck within ${Math.round(p.giveUpMs / 1000)} s`,
          code: 'timeout',
        });
        continue;
      }
      // Same token: a late PubAck of the first send still settles it.
      this.pending.delete(p.token);
      p.sentAt = now;
      p.resends++;
      this.pending.set(p.token, p);
      this.transmit(p);
    }
  }
}
