import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

/** How often the watchdog looks, and how long without a delivery before it asks the server. */
const WATCH_MS = 1000;
const QUIET_MS = 3000;
/** Heartbeats the server sends while idle; two missed ones end the consumer here. */
const HEARTBEAT_MS = 1000;

export interface TailHealth {
  /** Messages the server still holds past what was read (from the last delivery or check). */
  pending: number;
  /** The next stream sequence to process. */
  nextSeq: number;
  /** Consumers recreated after a stall, deletion, node loss or error. */
  recoveries: number;
  lastError?: string;
  /** When something was last processed or confirmed caught up (ms epoch). */
  lastProgressAt: number;
}

export interface TailOptions {
  stream: string;
  filter?: string;
  startSeq: number;
  /** Messages buffered at most; also the largest batch handed to onBatch. */
  batch: number;
  /** Called with each batch in stream order; the tail waits for it (backpressure). */
  onBatch(msgs: JsMsg[]): Promise<void>;
  /** Called after each batch and each server check with the current health. */
  onHealth?(h: TailHealth): void;
}

const FATAL_STATUS = new Set([
  'heartbeats_missed',
  'consumer_deleted',
  'consumer_not_found',
  'stream_not_found',
]);

/**
 * Reads a stream from a sequence onward through an ephemeral, ack-less pull consumer the tail
 * owns, batching what arrives while the previous batch is processed. It cannot freeze
 * silently: the consumer's notifications (missed heartbeats, deleted, not found) end it, and
 * a watchdog asks the server when nothing arrived for a while; a consumer that is gone (its
 * node lost) or holds messages it does not deliver is deleted and recreated from the next
 * sequence to process, counted in `recoveries`.
 */
export class StreamTail {
  private next: number;
  /** Highest sequence received (buffered or processed). */
  private received: number;
  private consumerName?: string;
  private messages?: ConsumerMessages;
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private buf: JsMsg[] = [];
  private processing?: Promise<void>;
  private failure?: Error;
  private lastDeliveryAt = Date.now();
  private watchdog?: NodeJS.Timeout;
  private checking = false;
  readonly health: TailHealth;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly opts: TailOptions,
  ) {
    this.next = Math.max(1, opts.startSeq);
    this.received = this.next - 1;
    this.health = { pending: 0, nextSeq: this.next, recoveries: 0, lastProgressAt: Date.now() };
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
    this.watchdog = setInterval(() => void this.watch(), WATCH_MS);
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    this.wake?.();
    void this.messages?.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
    await this.processing?.catch(() => undefined);
    await this.dropConsumer();
  }

  private async run(): Promise<void> {
    let backoff = 250;
    while (!this.stopped) {
      try {
        await this.consumeOnce();
        if (this.failure) throw this.failure;
        backoff = 250;
      } catch (err) {
        if (this.stopped) break;
        this.health.lastError = (err as Error).message;
        this.health.recoveries++;
        await this.pause(backoff);
        backoff = Math.min(4000, backoff * 2);
      } finally {
        await this.processing?.catch(() => undefined);
        await this.dropConsumer();
        this.failure = undefined;
        // Resume after what was processed; anything received but not processed is read again.
        this.buf = [];
        this.received = this.next - 1;
      }
    }
  }

  private async consumeOnce(): Promise<void> {
    const ci = await this.jsm.consumers.add(this.opts.stream, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.next,
      filter_subject: this.opts.filter,
      inactive_threshold: nanos(30_000),
      mem_storage: true,
      num_replicas: 1,
    });
    this.consumerName = ci.name;
    this.health.pending = ci.num_pending;
    this.lastDeliveryAt = Date.now();
    const c = await this.js.consumers.get(this.opts.stream, ci.name);
    const messages = await c.consume({ max_messages: this.opts.batch, idle_heartbeat: HEARTBEAT_MS });
    this.messages = messages;
    void (async () => {
      for await (const s of messages.status()) {
        if (FATAL_STATUS.has(s.type)) this.fail(new Error(`feed consumer: ${s.type}`));
      }
    })().catch(() => undefined);
    if (this.stopped) return;
    for await (const m of messages) {
      this.lastDeliveryAt = Date.now();
      if (m.seq <= this.received) continue;
      this.received = m.seq;
      this.buf.push(m);
      this.kick();
      // Backpressure: stop reading while a full batch waits to be processed.
      if (this.buf.length >= this.opts.batch) await this.processing;
      if (this.failure) break;
    }
  }

  private kick(): void {
    if (this.processing) return;
    this.processing = (async () => {
      try {
        // Let what the socket delivered in this turn arrive first: batches, not single messages.
        await new Promise((r) => setImmediate(r));
        while (this.buf.length && !this.failure) {
          const batch = this.buf;
          this.buf = [];
          await this.opts.onBatch(batch);
          const last = batch[batch.length - 1];
          this.next = last.seq + 1;
          this.health.pending = last.info.pending;
          this.health.lastProgressAt = Date.now();
          this.health.nextSeq = this.next;
          this.opts.onHealth?.(this.health);
          await new Promise((r) => setImmediate(r));
        }
      } catch (err) {
        this.fail(err as Error);
      } finally {
        this.processing = undefined;
      }
    })();
  }

  private fail(err: Error): void {
    if (this.failure || this.stopped) return;
    this.failure = err;
    void this.messages?.close().catch(() => undefined);
  }

  /** Quiet for a while: fine if the server has nothing for us, else the consumer is stuck or gone. */
  private async watch(): Promise<void> {
    if (this.checking || !this.consumerName || this.processing || this.failure) return;
    if (Date.now() - this.lastDeliveryAt < QUIET_MS) return;
    this.checking = true;
    try {
      const ci = await this.jsm.consumers.info(this.opts.stream, this.consumerName);
      this.health.pending = ci.num_pending;
      if (ci.num_pending === 0) {
        this.lastDeliveryAt = Date.now();
        this.health.lastProgressAt = Date.now();
        this.opts.onHealth?.(this.health);
      } else this.fail(new Error(`feed consumer holds ${ci.num_pending} messages it does not deliver`));
    } catch (err) {
      this.fail(new Error(`feed consumer lost: ${(err as Error).message}`));
    } finally {
      this.checking = false;
    }
  }

  private async dropConsumer(): Promise<void> {
    const name = this.consumerName;
    this.consumerName = undefined;
    this.messages = undefined;
    if (name) await this.jsm.consumers.delete(this.opts.stream, name).catch(() => false);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
