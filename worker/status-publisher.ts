import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { FrameWriter } from '../core/publish/frame-writer';
import { headerBlock, isUnavailable, readPubAck, replyToken } from '../core/publish/pub-ack';

/**
 * Fast JetStream publishing for status events: core `publish` with a per-message reply under
 * one shared inbox, PubAcks counted as they arrive (NATS-NOTES: ~4x what awaiting js.publish
 * gives), at most `maxInFlight` unacknowledged (further publishes wait in a local queue, in
 * order). nats.js has no reconnect buffer, so a publish without a PubAck after `timeoutMs` is
 * sent again with the same Nats-Msg-Id: the stream's duplicate window makes the retry safe.
 *
 * The worker's hot path uses `submit` (a callback, no promise per event); `publish` wraps it.
 */
export interface PubAckLite {
  seq: number;
  duplicate: boolean;
}

/** Called exactly once: with the PubAck, or with an error (rejected, gave up, closed). */
export type PubAckCallback = (err: Error | undefined, ack?: PubAckLite) => void;

export interface StatusPublisherOptions {
  maxInFlight?: number;
  timeoutMs?: number;
  /** Give up (reject) after this long without a PubAck. */
  giveUpMs?: number;
}

const ignore: PubAckCallback = () => {
  /* informational: losing it only thins the timeline */
};

/**
 * A class, not an object literal: a literal's allocation site sees every instance survive
 * (each waits one PubAck round trip), so V8 pretenures them into old space, and the old
 * generation then fills at the task rate (measured: ~25% of the worker's CPU in GC).
 */
class Pending {
  sentAt = 0;
  firstAt = 0;
  constructor(
    readonly subject: string,
    readonly data: string,
    readonly msgId: string,
    readonly done: PubAckCallback,
  ) {}
}

export class StatusPublisher {
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  /** By token (numbers hash cheaper than strings: this map turns over once per task). */
  private readonly pending = new Map<number, Pending>();
  /** Submitted while `maxInFlight` were unacknowledged: sent as PubAcks free room. */
  private readonly queued: Pending[] = [];
  private next = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;
  private readonly giveUpMs: number;
  private closed = false;
  private readonly writer: FrameWriter;

  constructor(
    private readonly nc: NatsConnection,
    opts: StatusPublisherOptions = {},
  ) {
    this.maxInFlight = opts.maxInFlight ?? 4096;
    this.timeoutMs = opts.timeoutMs ?? 4000;
    this.giveUpMs = opts.giveUpMs ?? 120_000;
    this.writer = new FrameWriter(nc);
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, m) => this.onAck(m) });
    this.sweeper = setInterval(() => this.sweep(), Math.max(250, Math.floor(this.timeoutMs / 4)));
    this.sweeper.unref?.();
  }

  /** Sent and not yet acknowledged, plus those waiting for room. */
  get inFlight(): number {
    return this.pending.size + this.queued.length;
  }

  /** Resolves with the PubAck; rejects only after `giveUpMs` of failed retries or on close. */
  publish(subject: string, data: string, msgId: string): Promise<PubAckLite> {
    return new Promise((resolve, reject) =>
      this.submit(subject, data, msgId, (err, ack) => (err ? reject(err) : resolve(ack!))),
    );
  }

  /** Publish and forget (informational events such as `processing`). */
  fire(subject: string, data: string, msgId: string): void {
    this.submit(subject, data, msgId, ignore);
  }

  /** Callback form of `publish`: `done` runs once, with the PubAck or an error. */
  submit(subject: string, data: string, msgId: string, done: PubAckCallback): void {
    if (this.closed) {
      done(new Error('status publisher closed'));
      return;
    }
    const p = new Pending(subject, data, msgId, done);
    if (this.pending.size < this.maxInFlight && this.queued.length === 0) this.start(p);
    else this.queued.push(p);
  }

  /** Waits for outstanding PubAcks (bounded), then stops. */
  async close(waitMs = 5000): Promise<void> {
    const deadline = Date.now() + waitMs;
    while (this.inFlight > 0 && Date.now() < deadline && !this.nc.isClosed()) {
      await new Promise((r) => setTimeout(r, 20));
    }
    this.closed = true;
    clearInterval(this.sweeper);
    const left = [...this.pending.values(), ...this.queued.splice(0)];
    this.pending.clear();
    for (const p of left) p.done(new Error('status publisher closed'));
    if (!this.nc.isClosed()) this.sub.unsubscribe();
  }

  private start(p: Pending): void {
    const token = ++this.next;
    // The give-up clock starts when it is first sent, not while it waits for room.
    p.sentAt = p.firstAt = Date.now();
    this.pending.set(token, p);
    this.send(token, p);
  }

  private send(token: number, p: Pending): void {
    if (this.nc.isClosed()) return;
    try {
      this.writer.publish(p.subject, `${this.inbox}.${token}`, headerBlock(p.msgId), p.data);
    } catch {
      /* disconnected or closing: the sweep retries */
    }
  }

  private onAck(m: Msg): void {
    const token = replyToken(m, this.inbox);
    const p = this.pending.get(token);
    if (!p) return;
    const r = readPubAck(m);
    // A status (503 no responders, stream leader moving), JetStream not ready yet, or a stray
    // reply: the sweep retries.
    if (r.kind === 'status' || r.kind === 'unreadable' || isUnavailable(r)) return;
    this.settle(token);
    // A JetStream API error (e.g. no stream for the subject): retrying cannot help.
    if (r.kind === 'rejected') p.done(new Error(r.error));
    else p.done(undefined, { seq: r.seq, duplicate: r.duplicate });
  }

  private settle(token: number): void {
    this.pending.delete(token);
    const next = this.queued.shift();
    if (next) this.start(next);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, p] of this.pending) {
      if (now - p.sentAt < this.timeoutMs) continue;
      if (now - p.firstAt > this.giveUpMs) {
        this.settle(token);
        p.done(new Error(`no PubAck for ${p.msgId} after ${this.giveUpMs} ms`));
        continue;
      }
      p.sentAt = now;
      this.send(token, p);
    }
  }
}
