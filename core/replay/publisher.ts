import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { FrameWriter } from '../publish/frame-writer';
import { readPubAck, replyToken } from '../publish/pub-ack';

/** Called once per message: its PubAck (ok, maybe duplicate) or the error; `ref` as given to send. */
export type OutcomeCallback = (
  ok: boolean,
  duplicate: boolean,
  error: string | undefined,
  ref: number,
) => void;

/** A class, so the instances awaiting PubAcks are not pretenured (see StatusPublisher). */
class Pending {
  constructor(
    readonly at: number,
    readonly ref: number,
  ) {}
}

/**
 * Fast JetStream publishing: core publishes with a reply subject on one shared inbox, framed by
 * FrameWriter, and the PubAcks counted as they arrive (js.publish awaits each ack and tops out
 * near 45k msg/s). In-flight messages are capped because nothing else bounds memory, and a
 * message without an ack after `ackTimeoutMs` counts as failed (there is no reconnect buffer:
 * a publish during an outage is simply lost).
 */
export class FastPublisher {
  private readonly prefix = createInbox();
  private readonly sub: Subscription;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private waiters: (() => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;
  private readonly writer: FrameWriter;

  constructor(
    private readonly nc: NatsConnection,
    private readonly onOutcome: OutcomeCallback,
    private readonly maxInFlight = 4096,
    private readonly ackTimeoutMs = 10_000,
  ) {
    this.writer = new FrameWriter(nc);
    this.sub = nc.subscribe(`${this.prefix}.*`, { callback: (_e, m) => this.onAck(m) });
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Resolves once the message is handed to the connection (waits while too many are in flight). */
  async publish(subject: string, data: Uint8Array, header = '', ref = -1): Promise<void> {
    for (let room = this.ready(); room; room = this.ready()) await room;
    this.send(subject, data, header, ref);
  }

  /** A promise only while the window is full: hot loops stay synchronous otherwise. */
  ready(): Promise<void> | undefined {
    if (this.pending.size < this.maxInFlight) return undefined;
    return new Promise<void>((r) => this.waiters.push(r));
  }

  /** Sends now; call `ready()` first to respect the window. `header` is a wire-format block. */
  send(subject: string, data: Uint8Array, header = '', ref = -1): void {
    const id = ++this.nextId;
    this.pending.set(id, new Pending(Date.now(), ref));
    try {
      this.writer.publish(subject, `${this.prefix}.${id}`, header, data);
    } catch (err) {
      this.settle(id, false, false, (err as Error).message);
    }
  }

  /** Waits until every message has an outcome (ack, error or timeout). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await new Promise<void>((r) => this.waiters.push(r));
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const id of [...this.pending.keys()]) this.settle(id, false, false, 'cancelled');
  }

  private onAck(m: Msg): void {
    const id = replyToken(m, this.prefix);
    if (!this.pending.has(id)) return;
    const r = readPubAck(m);
    switch (r.kind) {
      case 'ack':
        return this.settle(id, true, r.duplicate);
      case 'rejected':
        return this.settle(id, false, false, r.error);
      case 'status':
        return this.settle(
          id,
          false,
          false,
          r.code === 503
            ? 'no stream captures this subject (no responders)'
            : r.description || `status ${r.code}`,
        );
      case 'unreadable':
        return this.settle(id, false, false, 'unreadable PubAck');
    }
  }

  private settle(id: number, ok: boolean, duplicate: boolean, error?: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.onOutcome(ok, duplicate, error, p.ref);
    if (this.waiters.length && this.pending.size < this.maxInFlight) {
      const w = this.waiters;
      this.waiters = [];
      for (const r of w) r();
    }
  }

  private sweep(): void {
    const limit = Date.now() - this.ackTimeoutMs;
    for (const [id, p] of this.pending) {
      if (p.at > limit) break; // insertion order = send order
      this.settle(id, false, false, `no PubAck within ${this.ackTimeoutMs} ms`);
    }
  }
}
