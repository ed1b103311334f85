import {
  createInbox,
  headers,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

/**
 * Fast JetStream publishing for status events: core `publish` with a per-message reply under
 * one shared inbox, PubAcks counted as they arrive (NATS-NOTES: ~4x what awaiting js.publish
 * gives), at most `maxInFlight` unacknowledged. nats.js has no reconnect buffer, so a publish
 * without a PubAck after `timeoutMs` is sent again with the same Nats-Msg-Id: the stream's
 * duplicate window makes the retry safe.
 */
export interface PubAckLite {
  seq: number;
  duplicate: boolean;
}

export interface StatusPublisherOptions {
  maxInFlight?: number;
  timeoutMs?: number;
  /** Give up (reject) after this long without a PubAck. */
  giveUpMs?: number;
}

const decoder = new TextDecoder();

interface Pending {
  subject: string;
  data: string;
  msgId: string;
  sentAt: number;
  firstAt: number;
  resolve(a: PubAckLite): void;
  reject(e: Error): void;
}

export class StatusPublisher {
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  private readonly pending = new Map<string, Pending>();
  private readonly waiters: (() => void)[] = [];
  private next = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;
  private readonly giveUpMs: number;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    opts: StatusPublisherOptions = {},
  ) {
    this.maxInFlight = opts.maxInFlight ?? 4096;
    this.timeoutMs = opts.timeoutMs ?? 4000;
    this.giveUpMs = opts.giveUpMs ?? 120_000;
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, m) => this.onAck(m) });
    this.sweeper = setInterval(() => this.sweep(), Math.max(250, Math.floor(this.timeoutMs / 4)));
    this.sweeper.unref?.();
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Resolves with the PubAck; rejects only after `giveUpMs` of failed retries or on close. */
  publish(subject: string, data: string, msgId: string): Promise<PubAckLite> {
    if (this.pending.size < this.maxInFlight && !this.closed) return this.send0(subject, data, msgId);
    return this.publishWhenRoom(subject, data, msgId);
  }

  private async publishWhenRoom(subject: string, data: string, msgId: string): Promise<PubAckLite> {
    while (this.pending.size >= this.maxInFlight && !this.closed) {
      await new Promise<void>((r) => this.waiters.push(r));
    }
    if (this.closed) throw new Error('status publisher closed');
    return this.send0(subject, data, msgId);
  }

  private send0(subject: string, data: string, msgId: string): Promise<PubAckLite> {
    return new Promise<PubAckLite>((resolve, reject) => {
      const token = (++this.next).toString(36);
      const now = Date.now();
      const p: Pending = { subject, data, msgId, sentAt: now, firstAt: now, resolve, reject };
      this.pending.set(token, p);
      this.send(token, p);
    });
  }

  /** Publish and forget (informational events such as `processing`). */
  fire(subject: string, data: string, msgId: string): void {
    this.publish(subject, data, msgId).catch(() => {
      /* informational: losing it only thins the timeline */
    });
  }

  /** Waits for outstanding PubAcks (bounded), then stops. */
  async close(waitMs = 5000): Promise<void> {
    const deadline = Date.now() + waitMs;
    while (this.pending.size > 0 && Date.now() < deadline && !this.nc.isClosed()) {
      await new Promise((r) => setTimeout(r, 20));
    }
    this.closed = true;
    clearInterval(this.sweeper);
    for (const p of this.pending.values()) p.reject(new Error('status publisher closed'));
    this.pending.clear();
    this.waiters.splice(0).forEach((w) => w());
    if (!this.nc.isClosed()) this.sub.unsubscribe();
  }

  private send(token: string, p: Pending): void {
    if (this.nc.isClosed()) return;
    const h = headers();
    h.set('Nats-Msg-Id', p.msgId);
    try {
      this.nc.publish(p.subject, p.data, { reply: `${this.inbox}.${token}`, headers: h });
    } catch {
      /* disconnected or closing: the sweep retries */
    }
  }

  private onAck(m: Msg): void {
    const token = m.subject.slice(this.inbox.length + 1);
    const p = this.pending.get(token);
    if (!p) return;
    if (m.headers?.code === 503) return; // no responders (stream leader moving): the sweep retries
    let ack: { seq?: number; duplicate?: boolean; error?: { description?: string } };
    try {
      ack = JSON.parse(decoder.decode(m.data)) as typeof ack;
    } catch {
      return;
    }
    if (ack.error) {
      // A JetStream API error (e.g. no stream for the subject): retrying cannot help.
      this.settle(token);
      p.reject(new Error(ack.error.description ?? 'publish rejected'));
      return;
    }
    this.settle(token);
    p.resolve({ seq: ack.seq ?? 0, duplicate: ack.duplicate === true });
  }

  private settle(token: string): void {
    this.pending.delete(token);
    this.waiters.shift()?.();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, p] of this.pending) {
      if (now - p.sentAt < this.timeoutMs) continue;
      if (now - p.firstAt > this.giveUpMs) {
        this.settle(token);
        p.reject(new Error(`no PubAck for ${p.msgId} after ${this.giveUpMs} ms`));
        continue;
      }
      p.sentAt = now;
      this.send(token, p);
    }
  }
}
