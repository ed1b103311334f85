import { randomUUID } from 'node:crypto';
import {
  DeliverPolicy,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type StreamInfo,
} from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { TailInfo, TailMessage } from '../../api/features/messages';
import type { EventBus } from '../events';
import { headersToRecord, toBrowsed, type RawMsg } from './format';
import { BoundedBuffer } from '../util/batcher';
import { deleteConsumer, PausableFeed } from '../util/live-feed';

const FLUSH_MS = 100;

export interface TailOptions {
  stream: string;
  subject?: string;
  bufferSize: number;
  previewBytes: number;
}

/**
 * Follows new messages of a stream and emits them in batches every 100 ms with a bounded
 * buffer (oldest dropped and counted). Limits streams: an ordered consumer delivering new
 * messages (with sequences). WorkQueue/Interest streams: a core subscription on the stream's
 * subjects, which neither consumes nor changes retention (sourced messages are not seen).
 * Paused: keeps following, keeps the newest `bufferSize`, counts the rest as dropped.
 */
export class Tail extends PausableFeed {
  readonly id = randomUUID();
  private readonly buffer: BoundedBuffer<TailMessage>;
  private timer?: NodeJS.Timeout;
  protected state: TailInfo['state'] = 'running';
  private error?: string;
  private subs: Subscription[] = [];
  private consumerMsgs?: ConsumerMessages;
  private consumer?: Consumer;
  readonly mode: TailInfo['mode'];

  constructor(
    private readonly bus: EventBus,
    private readonly opts: TailOptions,
    si: StreamInfo,
  ) {
    super();
    this.mode = si.config.retention === 'limits' ? 'ordered_consumer' : 'core_subscription';
    this.buffer = new BoundedBuffer(opts.bufferSize);
  }

  async start(nc: NatsConnection, js: JetStreamClient, si: StreamInfo): Promise<void> {
    if (this.mode === 'ordered_consumer') {
      const c = await js.consumers.get(this.opts.stream, {
        deliver_policy: DeliverPolicy.New,
        // A string (not an array) maps to filter_subject, which 2.9 understands.
        ...(this.opts.subject ? { filter_subjects: this.opts.subject } : {}),
      });
      this.consumer = c;
      this.consumerMsgs = await c.consume({
        max_messages: 1000,
        callback: (m) =>
          this.push({
            seq: m.seq,
            subject: m.subject,
            timeMs: Number(m.timestampNanos / 1_000_000n),
            headers: headersToRecord(m.headers),
            data: m.data,
          }),
      });
      void this.consumerMsgs.closed().then((err) => {
        if (err && this.state !== 'stopped') this.fail((err as Error).message);
      });
    } else {
      const subjects = this.opts.subject ? [this.opts.subject] : (si.config.subjects ?? []);
      const onMsg = (_err: Error | null, m: Msg) =>
        this.push({
          seq: 0,
          subject: m.subject,
          timeMs: Date.now(),
          headers: headersToRecord(m.headers),
          data: m.data,
        });
      this.subs = subjects.map((s) => nc.subscribe(s, { callback: onMsg }));
      // The tail is live once the server has the subscriptions.
      await nc.flush();
    }
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  private push(m: RawMsg): void {
    const tm: TailMessage = toBrowsed(m, this.opts.previewBytes);
    if (!m.seq) delete tm.seq;
    this.buffer.push(tm);
  }

  protected flush(): void {
    if (this.state !== 'running') return;
    const batch = this.buffer.take();
    if (batch)
      this.bus.emit('messages.tail', { tailId: this.id, messages: batch.items, dropped: batch.dropped });
  }

  /**
   * Ends the tail and removes its server consumer now: an ordered consumer would otherwise
   * linger on the server for its 5-minute inactivity threshold. Resolves once it is deleted.
   */
  stop(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    if (this.timer) clearInterval(this.timer);
    for (const s of this.subs) s.unsubscribe();
    this.consumerMsgs?.stop();
    this.buffer.clear();
    this.setState('stopped');
    const c = this.consumer;
    this.consumer = undefined;
    return deleteConsumer(c);
  }

  private fail(message: string): void {
    this.error = message;
    void this.stop();
    this.state = 'error';
    this.bus.emit('messages.tail.state', this.info());
  }

  protected setState(s: TailInfo['state']): void {
    this.state = s;
    this.bus.emit('messages.tail.state', this.info());
  }

  info(): TailInfo {
    return {
      tailId: this.id,
      stream: this.opts.stream,
      subject: this.opts.subject,
      state: this.state,
      mode: this.mode,
      bufferSize: this.opts.bufferSize,
      error: this.error,
    };
  }
}
