import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

export interface PublishOutcome {
  ref?: number;
  ok: boolean;
  duplicate?: boolean;
  error?: string;
}

const td = new TextDecoder();

/**
 * Fast JetStream publishing: core publishes with a reply subject on one shared inbox and the
 * PubAcks counted as they arrive (js.publish awaits each ack and tops out near 45k msg/s;
 * this reaches ~200k). In-flight messages are capped because nothing else bounds memory,
 * and a message without an ack after `ackTimeoutMs` counts as failed (there is no reconnect
 * buffer: a publish during an outage is simply lost).
 */
export class FastPublisher {
  private readonly prefix = createInbox();
  private readonly sub: Subscription;
  private readonly pending = new Map<number, { at: number; ref?: number }>();
  private nextId = 0;
  private waiters: (() => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly nc: NatsConnection,
    private readonly onOutcome: (o: PublishOutcome) => void,
    private readonly maxInFlight = 4096,
    private readonly ackTimeoutMs = 10_000,
  ) {
    this.sub = nc.subscribe(`${this.prefix}.*`, { callback: (_e, m) => this.onAck(m) });
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Resolves once the message is handed to the connection (waits while too many are in flight). */
  async publish(subject: string, data: Uint8Array, headers?: MsgHdrs, ref?: number): Promise<void> {
    for (let room = this.ready(); room; room = this.ready()) await room;
    this.send(subject, data, headers, ref);
  }

  /** A promise only while the window is full: hot loops stay synchronous otherwise. */
  ready(): Promise<void> | undefined {
    if (this.pending.size < this.maxInFlight) return undefined;
    return new Promise<void>((r) => this.waiters.push(r));
  }

  /** Sends now; call `ready()` first to respect the window. */
  send(subject: string, data: Uint8Array, headers?: MsgHdrs, ref?: number): void {
    const id = ++this.nextId;
    this.pending.set(id, { at: Date.now(), ref });
    try {
      this.nc.publish(subject, data, { reply: `${this.prefix}.${id}`, headers });
    } catch (err) {
      this.settle(id, { ok: false, error: (err as Error).message });
    }
  }

  /** Waits until every message has an outcome (ack, error or timeout). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await new Promise<void>((r) => this.waiters.push(r));
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const id of [...this.pending.keys()]) this.settle(id, { ok: false, error: 'cancelled' });
  }

  private onAck(m: Msg): void {
    const id = Number(m.subject.slice(this.prefix.length + 1));
    if (!this.pending.has(id)) return;
    const code = m.headers?.code ?? 0;
    if (code === 503)
      return this.settle(id, { ok: false, error: 'no stream captures this subject (no responders)' });
    if (code !== 0) return this.settle(id, { ok: false, error: m.headers?.description || `status ${code}` });
    let ack: { error?: { description: string }; duplicate?: boolean };
    try {
      ack = JSON.parse(td.decode(m.data)) as typeof ack;
    } catch {
      return this.settle(id, { ok: false, error: 'unreadable PubAck' });
    }
    if (ack.error) return this.settle(id, { ok: false, error: ack.error.description });
    this.settle(id, { ok: true, duplicate: !!ack.duplicate });
  }

  private settle(id: number, o: Omit<PublishOutcome, 'ref'>): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.onOutcome({ ...o, ref: p.ref });
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
      this.settle(id, { ok: false, error: `no PubAck within ${this.ackTimeoutMs} ms` });
    }
  }
}
