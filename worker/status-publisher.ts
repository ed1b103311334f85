import { InvalidArgumentError, type NatsConnection } from '@nats-io/transport-node';
import {
  headersSize,
  isStreamFull,
  isUnavailable,
  msgHeaders,
  type PubAckReply,
} from '../nats/publish/pub-ack';
import { PubAckTracker, Sent } from '../nats/publish/pub-ack-tracker';

export interface PubAckLite {
  seq: number;
  duplicate: boolean;
}

/**
 * Why a status event was not stored. `stream_full` (the stream has `discard: new` and is at a
 * limit, or the account is out of storage), `too_large` (over the server's max_payload) and
 * `rejected` (another JetStream API error) are final: sending it again cannot help. `gave_up`
 * (no PubAck for `giveUpMs`) and `closed` may pass.
 */
export type PublishFailureKind = 'stream_full' | 'too_large' | 'rejected' | 'gave_up' | 'closed';

export class PublishFailure extends Error {
  constructor(
    message: string,
    readonly kind: PublishFailureKind,
  ) {
    super(message);
    this.name = 'PublishFailure';
  }

  get final(): boolean {
    return this.kind === 'stream_full' || this.kind === 'too_large' || this.kind === 'rejected';
  }
}

/** Called exactly once: with the PubAck, or with why it was not stored. */
export type PubAckCallback = (err: PublishFailure | undefined, ack?: PubAckLite) => void;

export interface StatusPublisherOptions {
  maxInFlight?: number;
  timeoutMs?: number;
  /** Give up (reject) after this long without a PubAck. */
  giveUpMs?: number;
}

const ignore: PubAckCallback = () => {
  /* informational: losing it only thins the timeline */
};

class Pending extends Sent {
  constructor(
    readonly subject: string,
    readonly data: string,
    readonly msgId: string,
    readonly done: PubAckCallback,
  ) {
    super();
  }
}

/**
 * Status events from the worker: at most `maxInFlight` unacknowledged, further publishes wait
 * in a local queue, in order. nats.js has no reconnect buffer, so a publish without a PubAck
 * after `timeoutMs` is sent again with the same Nats-Msg-Id: the stream's duplicate window
 * makes the retry safe.
 *
 * The worker's hot path uses `submit` (a callback, no promise per event); `publish` wraps it.
 */
export class StatusPublisher extends PubAckTracker<Pending> {
  /** Submitted while `maxInFlight` were unacknowledged: sent as PubAcks free room. */
  private readonly queued: Pending[] = [];
  private readonly giveUpMs: number;
  private closed = false;

  constructor(nc: NatsConnection, opts: StatusPublisherOptions = {}) {
    const timeoutMs = opts.timeoutMs ?? 4000;
    super(nc, opts.maxInFlight ?? 4096, timeoutMs, Math.max(250, Math.floor(timeoutMs / 4)));
    this.giveUpMs = opts.giveUpMs ?? 120_000;
  }

  /** Sent and not yet acknowledged, plus those waiting for room. */
  override get inFlight(): number {
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
      done(new PublishFailure('status publisher closed', 'closed'));
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
    for (const p of [...this.stopTracking(), ...this.queued.splice(0)])
      p.done(new PublishFailure('status publisher closed', 'closed'));
  }

  protected write(p: Pending, reply: string): void {
    this.publishMsg(p.subject, reply, msgHeaders(p.msgId), p.data);
  }

  protected sendFailed(p: Pending, err: Error): void {
    // Too large for the server (nats.js refuses it before sending): final at once.
    // Disconnected or closing: the sweep retries.
    if (err instanceof InvalidArgumentError && /max_payload/.test(err.message)) {
      this.settle(p);
      const h = msgHeaders(p.msgId);
      const bytes = Buffer.byteLength(p.data) + headersSize(h);
      const max = this.nc.info?.max_payload ?? 0;
      p.done(new PublishFailure(`${bytes} bytes; the server's max_payload is ${max}`, 'too_large'));
    }
  }

  protected acked(p: Pending, r: PubAckReply): void {
    // A status (503 no responders, stream leader moving), JetStream not ready yet, or a stray
    // reply: the sweep retries.
    if (r.kind === 'status' || r.kind === 'unreadable' || isUnavailable(r)) return;
    this.settle(p);
    // A full stream or another JetStream API error (e.g. no stream for the subject): retrying
    // cannot help.
    if (r.kind === 'rejected')
      p.done(new PublishFailure(r.error, isStreamFull(r) ? 'stream_full' : 'rejected'));
    else p.done(undefined, { seq: r.seq, duplicate: r.duplicate });
  }

  protected stale(p: Pending, now: number): void {
    if (now - p.firstSentAt > this.giveUpMs) {
      this.settle(p);
      p.done(new PublishFailure(`no PubAck for ${p.msgId} after ${this.giveUpMs} ms`, 'gave_up'));
    } else this.resend(p, now);
  }

  private settle(p: Pending): void {
    this.forget(p);
    const next = this.queued.shift();
    if (next) this.start(next);
  }
}
