import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import {
  nanos,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import { inboxFor } from '../../../nats/connect-options';

/** How often the watchdog looks, and how long without a delivery before it asks the server. */
const WATCH_MS = 1000;
const QUIET_MS = 3000;
/** Heartbeats the server sends while a pull waits; nothing at all for MISSED_MS ends the consumer. */
const HEARTBEAT_MS = 1000;
const MISSED_MS = 3 * HEARTBEAT_MS;
/** A pull waits this long for messages before the server ends it (408) and the tail asks again. */
const PULL_EXPIRES_MS = 10_000;

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
  /**
   * Messages asked for per pull; at most twice this many are held (received, not processed yet),
   * and a batch handed to onBatch holds at most this many.
   */
  batch: number;
  /**
   * Called with each batch in stream order; the tail waits for it (backpressure). The array is
   * the callee's (it may empty it to let the messages go early).
   */
  onBatch(msgs: TailMsg[]): Promise<void>;
  /** Called after each batch and each server check with the current health. */
  onHealth?(h: TailHealth): void;
}

/**
 * A stream message as the tail hands it over: its sequence, time and pending count come from
 * the delivery's reply subject (`$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>`,
 * or the 12-token form with domain and account hash), read once; headers decode on demand.
 */
export class TailMsg {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly seq: number;
  /** Messages left in the consumer after this one. */
  readonly pending: number;
  private readonly tsNanos: string;
  private iso?: string;

  constructor(private readonly m: Msg) {
    this.subject = m.subject;
    this.data = m.data;
    // Tokens counted from the end: `<sseq>.<dseq>.<ts>.<pending>` (v1), then `.<random>` in v2
    // (12 tokens: domain and account hash after $JS.ACK).
    const r = m.reply ?? '';
    let end = r.length;
    if (dots(r) >= 11) end = r.lastIndexOf('.', end - 1);
    const p = r.lastIndexOf('.', end - 1);
    const ts = r.lastIndexOf('.', p - 1);
    const dseq = r.lastIndexOf('.', ts - 1);
    const sseq = r.lastIndexOf('.', dseq - 1);
    this.pending = Number(r.slice(p + 1, end));
    this.tsNanos = r.slice(ts + 1, p);
    this.seq = Number(r.slice(sseq + 1, dseq));
  }

  /** ISO time the stream stored it. */
  get time(): string {
    // Nanoseconds since the epoch as digits: the milliseconds are all but the last six.
    return (this.iso ??= isoOfMs(this.tsNanos.slice(0, -6) || '0'));
  }

  get headers(): MsgHdrs | undefined {
    return this.m.headers;
  }

  json<T>(): T {
    return this.m.json<T>();
  }
}

/** ISO time of milliseconds given as digits, cached: a batch's messages share few milliseconds. */
let isoMs = '';
let isoText = '';
function isoOfMs(ms: string): string {
  if (ms !== isoMs) {
    isoText = new Date(Number(ms)).toISOString();
    isoMs = ms;
  }
  return isoText;
}

function dots(s: string): number {
  let n = 0;
  for (let i = s.indexOf('.'); i >= 0; i = s.indexOf('.', i + 1)) n++;
  return n;
}

/**
 * Reads a stream from a sequence onward through an ephemeral, ack-less pull consumer the tail
 * owns. It pulls with plain requests on one inbox (no client-side consumer machinery per
 * message) and asks for more only while it holds less than two batches, so memory stays
 * bounded however far behind the processing is. It cannot freeze silently: a pull carries
 * server heartbeats, and nothing for a while, `409 Consumer Deleted`, or no responders end it;
 * a watchdog asks the server when nothing was delivered for a while. A consumer that is gone
 * (its node lost) or holds messages it does not deliver is deleted and recreated from the next
 * sequence to process, counted in `recoveries`.
 */
export class StreamTail {
  private next: number;
  /** Highest sequence received (buffered or processed). */
  private received: number;
  private consumerName?: string;
  private sub?: Subscription;
  private api = '';
  private inbox = '';
  /** Messages asked for by the open pull and not received yet (0: no pull open). */
  private asked = 0;
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Ends the current consumer's run (error, stop). */
  private endRun?: (err?: Error) => void;
  private buf: TailMsg[] = [];
  /** Messages in the batch being processed. */
  private inProcess = 0;
  private processing?: Promise<void>;
  private failure?: Error;
  private lastDeliveryAt = Date.now();
  /** Last message, heartbeat or status from the server. */
  private lastHeardAt = Date.now();
  private watchdog?: NodeJS.Timeout;
  private checking = false;
  readonly health: TailHealth;

  constructor(
    private readonly nc: NatsConnection,
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
    this.endRun?.();
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
        this.sub?.unsubscribe();
        this.sub = undefined;
        this.asked = 0;
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
    this.lastDeliveryAt = this.lastHeardAt = Date.now();
    if (this.stopped) return;
    const o = this.js.getOptions();
    const prefix = o.apiPrefix ?? (o.domain ? `$JS.${o.domain}.API` : '$JS.API');
    this.api = `${prefix}.CONSUMER.MSG.NEXT.${this.opts.stream}.${ci.name}`;
    this.inbox = inboxFor(this.nc);
    const ended = new Promise<void>((resolve, reject) => {
      this.endRun = (err) => (err ? reject(err) : resolve());
    });
    this.sub = this.nc.subscribe(this.inbox, { callback: (_err, m) => this.onMsg(m) });
    this.pull();
    await ended;
  }

  /** Asks for a batch when none is open and fewer than two batches are held. */
  private pull(): void {
    if (this.asked || this.failure || this.stopped || !this.sub) return;
    if (this.buf.length + this.inProcess >= this.opts.batch) return;
    this.asked = this.opts.batch;
    const req = JSON.stringify({
      batch: this.opts.batch,
      expires: nanos(PULL_EXPIRES_MS),
      idle_heartbeat: nanos(HEARTBEAT_MS),
    });
    try {
      this.nc.publish(this.api, req, { reply: this.inbox });
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private onMsg(m: Msg): void {
    this.lastHeardAt = Date.now();
    // A stream message carries its ack subject as reply; statuses (heartbeat, 408, 409) do not.
    // Telling them apart this way decodes no headers per message.
    if (!m.reply?.startsWith('$JS.ACK.')) {
      const h = m.headers;
      this.onStatus(h?.code ?? 0, h?.description ?? '');
      return;
    }
    const tm = new TailMsg(m);
    this.lastDeliveryAt = this.lastHeardAt;
    if (this.asked > 0 && --this.asked === 0) this.pull();
    if (tm.seq <= this.received) return;
    this.received = tm.seq;
    this.buf.push(tm);
    this.kick();
  }

  private onStatus(code: number, description: string): void {
    if (code === 100 || code === 0) return; // heartbeat (or nothing to act on)
    if (code === 408 || code === 404) {
      // The pull expired (or had nothing): ask again.
      this.asked = 0;
      this.pull();
      return;
    }
    if (code === 409 && !/consumer deleted/i.test(description)) {
      // Ended for another reason (leadership change, limits): ask again.
      this.asked = 0;
      this.pull();
      return;
    }
    this.fail(new Error(`feed consumer: ${code} ${description}`.trim()));
  }

  private kick(): void {
    if (this.processing) return;
    this.processing = (async () => {
      try {
        // Let what the socket delivered in this turn arrive first: batches, not single messages.
        await new Promise((r) => setImmediate(r));
        while (this.buf.length && !this.failure) {
          const batch = this.buf.length > this.opts.batch ? this.buf.splice(0, this.opts.batch) : this.buf;
          if (batch === this.buf) this.buf = [];
          const last = batch[batch.length - 1];
          this.inProcess = batch.length;
          await this.opts.onBatch(batch);
          this.inProcess = 0;
          this.next = last.seq + 1;
          this.health.pending = last.pending;
          this.health.lastProgressAt = Date.now();
          this.health.nextSeq = this.next;
          this.opts.onHealth?.(this.health);
          this.pull();
          await new Promise((r) => setImmediate(r));
        }
      } catch (err) {
        this.fail(err as Error);
      } finally {
        this.inProcess = 0;
        this.processing = undefined;
      }
    })();
  }

  private fail(err: Error): void {
    if (this.failure || this.stopped) return;
    this.failure = err;
    this.endRun?.(err);
  }

  /**
   * Nothing heard while a pull is open (no heartbeat either): the consumer or its node is gone.
   * Quiet for a while: fine if the server has nothing for us, else the consumer is stuck.
   */
  private async watch(): Promise<void> {
    if (this.checking || !this.consumerName || this.failure) return;
    const now = Date.now();
    if (this.asked && now - this.lastHeardAt > MISSED_MS) {
      this.fail(new Error('feed consumer: heartbeats_missed'));
      return;
    }
    if (this.processing || now - this.lastDeliveryAt < QUIET_MS) return;
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
