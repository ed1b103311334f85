import { randomUUID } from 'node:crypto';
import {
  DeliverPolicy,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
} from '@nats-io/jetstream';
import type { KvEntryView, KvOperation, KvWatchInfo } from '../../api/features/kv';
import type { EventBus } from '../events';
import { entryView, kvStreamName } from './views';
import { BoundedBuffer } from '../util/batcher';
import { deleteConsumer, PausableFeed } from '../util/live-feed';

const FLUSH_MS = 100;

export interface KvWatchOptions {
  bucket: string;
  filter: string;
  bufferSize: number;
  previewBytes: number;
}

/**
 * Follows new revisions of a bucket and emits them in batches every 100 ms; the buffer keeps the
 * newest `bufferSize` changes and counts the rest as dropped. Paused, it keeps receiving but
 * sends nothing, so what is held stays bounded and the resume shows the newest changes. It reads with an ordered consumer
 * (what kv.watch() does with updates only) that it deletes when it stops: kv.watch()'s consumer
 * would linger on the server for its 5-minute inactivity threshold after the watch ends.
 */
export class KvLiveWatch extends PausableFeed {
  readonly id = randomUUID();
  private readonly buffer: BoundedBuffer<KvEntryView>;
  private received = 0;
  private timer?: NodeJS.Timeout;
  private consumer?: Consumer;
  private messages?: ConsumerMessages;
  protected state: KvWatchInfo['state'] = 'running';
  private error?: string;

  constructor(
    private readonly bus: EventBus,
    private readonly opts: KvWatchOptions,
  ) {
    super();
    this.buffer = new BoundedBuffer(opts.bufferSize);
  }

  /** Resolves once the server delivers changes to the watch. */
  async start(js: JetStreamClient): Promise<void> {
    const prefix = `$KV.${this.opts.bucket}.`;
    this.consumer = await js.consumers.get(kvStreamName(this.opts.bucket), {
      deliver_policy: DeliverPolicy.New,
      filter_subjects: `${prefix}${this.opts.filter}`,
    });
    this.messages = await this.consumer.consume({
      max_messages: 1000,
      callback: (m) =>
        this.push(
          entryView(
            {
              key: m.subject.slice(prefix.length),
              revision: m.seq,
              created: new Date(Number(m.timestampNanos / 1_000_000n)),
              operation: (m.headers?.get('KV-Operation') || 'PUT') as KvOperation,
              length: m.data.length,
              value: m.data,
            },
            this.opts.previewBytes,
          ),
        ),
    });
    void this.messages.closed().then((err) => {
      if (this.running) this.end(err ? 'error' : 'stopped', err ? (err as Error).message : undefined);
    });
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  private push(e: KvEntryView): void {
    this.received++;
    this.buffer.push(e);
  }

  protected flush(): void {
    if (this.state !== 'running') return;
    const batch = this.buffer.take();
    if (batch) this.bus.emit('kv.watch', { watchId: this.id, entries: batch.items, dropped: batch.dropped });
  }

  protected setState(s: KvWatchInfo['state']): void {
    this.state = s;
    this.bus.emit('kv.watch.state', this.info());
  }

  /** Ends the watch and deletes its consumer; resolves once the server has. */
  stop(): Promise<void> {
    if (this.running) this.end('stopped');
    const c = this.consumer;
    this.consumer = undefined;
    return deleteConsumer(c);
  }

  private end(state: 'stopped' | 'error', error?: string): void {
    // A running watch's last changes go out; a paused one's are dropped, as a stopped core subscription's.
    this.flush();
    if (this.timer) clearInterval(this.timer);
    this.messages?.stop();
    this.buffer.clear();
    this.state = state;
    this.error = error;
    this.bus.emit('kv.watch.state', this.info());
  }

  /** Running or paused: not ended. */
  get running(): boolean {
    return this.state === 'running' || this.state === 'paused';
  }

  info(): KvWatchInfo {
    return {
      watchId: this.id,
      bucket: this.opts.bucket,
      filter: this.opts.filter,
      state: this.state,
      bufferSize: this.opts.bufferSize,
      received: this.received,
      error: this.error,
    };
  }
}
