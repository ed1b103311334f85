import { randomBytes } from 'node:crypto';
import { inboxFor } from '../connect-options';
import {
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type PublishOptions,
  type Subscription,
} from '@nats-io/transport-node';
import { PendingRing } from './pending-ring';
import { readPubAck, replyToken, type PubAckReply } from './pub-ack';

/**
 * A message awaiting its PubAck; publishers extend it with what they keep. A class, not an
 * object literal: a literal's allocation site sees every instance survive a PubAck round trip,
 * so V8 pretenures them and old-space GC then runs at the publish rate (measured: ~25% of the
 * worker's CPU).
 */
export class Sent {
  token = 0;
  sentAt = 0;
  firstSentAt = 0;
  resends = 0;
}

/**
 * What JetDeck's JetStream publishers share: core publishes through the public `nc.publish`, each
 * with its own reply subject under one wildcard inbox (token numbers hash cheaper than strings),
 * pipelined: nothing awaits a PubAck before the next send, and nats.js joins everything published
 * in one tick into one socket write. PubAcks are counted as they arrive (about 4× what awaiting
 * `js.publish` per message gives: no promise, timer or subscription per message), a window of
 * `maxInFlight` with `ready()` for the sender, and a sweep that hands each message without a
 * PubAck after `ackTimeoutMs` to `stale()`, in the order they were first sent. What an ack, a timeout or a failed
 * send means (settle, resend with the same Nats-Msg-Id, give up) is the publisher's call.
 */
export abstract class PubAckTracker<P extends Sent> {
  protected readonly inbox: string;
  /** Awaiting a PubAck, by token. */
  protected readonly pending: PendingRing<P>;
  /** Reused for every publish: nats.js reads it and keeps no reference. */
  private readonly opts: PublishOptions = { reply: '', headers: undefined };
  private readonly sub: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private nextToken = 0;
  private waiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    protected readonly nc: NatsConnection,
    protected readonly maxInFlight: number,
    protected readonly ackTimeoutMs: number,
    sweepMs: number,
  ) {
    this.pending = new PendingRing<P>(maxInFlight);
    this.inbox = shortInbox(nc);
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, m) => this.onReply(m) });
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** A promise only while the window is full: hot loops stay synchronous otherwise. */
  ready(): Promise<void> | undefined {
    if (this.pending.size < this.maxInFlight) return undefined;
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Waits until every message has an outcome. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Publishes `p` with `reply`, through `publishMsg` (throws like `nc.publish`). */
  protected abstract write(p: P, reply: string): void;
  /** A reply (PubAck, error or status) for a pending message. */
  protected abstract acked(p: P, r: PubAckReply): void;
  /** No reply `ackTimeoutMs` after the last send. */
  protected abstract stale(p: P, now: number): void;
  /** The write threw (closed connection, invalid subject, oversize). */
  protected abstract sendFailed(p: P, err: Error): void;

  /** `nc.publish` with the reply subject `write` was given. */
  protected publishMsg(
    subject: string,
    reply: string,
    headers: MsgHdrs | undefined,
    data: string | Uint8Array,
  ): void {
    const o = this.opts;
    o.reply = reply;
    o.headers = headers;
    this.nc.publish(subject, data, o);
  }

  /** First send: the give-up clock starts here, not while a message waits for room. */
  protected start(p: P): void {
    p.token = ++this.nextToken;
    p.sentAt = p.firstSentAt = Date.now();
    this.pending.add(p);
    this.transmit(p);
  }

  /** Sends again under the same token, so a late PubAck of the first send still settles it. */
  protected resend(p: P, now: number): void {
    p.sentAt = now;
    p.resends++;
    this.transmit(p);
  }

  /** Stops tracking `p`; false when it was no longer pending. Wakes senders waiting for room. */
  protected forget(p: P): boolean {
    if (!this.pending.delete(p)) return false;
    if (this.waiters.length && this.pending.size < this.maxInFlight) this.release();
    return true;
  }

  /** Stops the sweep and the inbox; returns what was still pending, for the caller to fail. */
  protected stopTracking(): P[] {
    const left = this.pending.filter(() => true);
    if (this.stopped) return left;
    this.stopped = true;
    clearInterval(this.sweeper);
    if (!this.nc.isClosed()) this.sub.unsubscribe();
    this.pending.clear();
    this.release();
    return left;
  }

  /** Runs before each sweep; false skips it. */
  protected beforeSweep(): boolean {
    return true;
  }

  private transmit(p: P): void {
    try {
      this.write(p, `${this.inbox}.${p.token}`);
    } catch (err) {
      this.sendFailed(p, err as Error);
    }
  }

  private onReply(m: Msg): void {
    const p = this.pending.get(replyToken(m, this.inbox));
    if (p) this.acked(p, readPubAck(m));
  }

  private release(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  private sweep(): void {
    if (!this.beforeSweep()) return;
    const now = Date.now();
    const stale = this.pending.filter((p) => now - p.sentAt >= this.ackTimeoutMs);
    // A handler may settle or resend others; each is handled only while still pending.
    for (const p of stale) if (this.pending.has(p)) this.stale(p, now);
  }
}

/**
 * `<the profile's inbox prefix>.<8 random characters>` (48 bits, as unlikely to be shared as
 * nats.js's 22-character NUID in one account): every publish carries its reply subject and
 * every PubAck comes back on it, and 14 bytes less each way measured ~0.4 µs less CPU per
 * message in this process and ~0.35 µs less in nats-server (`npm run bench -- --only publish`).
 */
export function shortInbox(nc: NatsConnection): string {
  const inbox = inboxFor(nc);
  return `${inbox.slice(0, inbox.lastIndexOf('.'))}.${randomBytes(6).toString('base64url')}`;
}
