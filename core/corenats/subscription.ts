import { randomUUID } from 'node:crypto';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { CoreMessage, CoreSubscriptionInfo, CoreSubscriptionState } from '../../api/features/corenats';
import type { EventBus } from '../events';
import { headersToRecord } from '../messages/format';
import { toCoreMessage } from './message';
import { PausableFeed } from '../util/live-feed';

const FLUSH_MS = 100;
/** Preview bytes held between flushes, whatever the message count: a batch stays small. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface CoreSubOptions {
  subject: string;
  queue?: string;
  bufferSize: number;
  previewBytes: number;
}

/** What the callback keeps of a message: a copy of its preview bytes only, encoded at flush. */
interface Held {
  subject: string;
  reply?: string;
  timeMs: number;
  size: number;
  headers?: Record<string, string[]>;
  preview: Uint8Array;
}

/**
 * One live core subscription: messages are held in a bounded buffer (newest `bufferSize`, at
 * most 4 MiB of previews; older ones dropped and counted) and leave as one 'core.messages'
 * batch every 100 ms. Paused, it keeps receiving and keeps only the newest, so a paused
 * wildcard on a busy server costs a fixed amount of memory. Ends with `stop()`.
 */
export class CoreSubscription extends PausableFeed {
  readonly id = randomUUID();
  private buffer: Held[] = [];
  private bufferedBytes = 0;
  private droppedSinceFlush = 0;
  private received = 0;
  private droppedTotal = 0;
  protected state: CoreSubscriptionState = 'running';
  private error?: string;
  private sub?: Subscription;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bus: EventBus,
    private readonly opts: CoreSubOptions,
  ) {
    super();
  }

  /** Resolves once the server has the subscription, so what is published next is seen. */
  async start(nc: NatsConnection): Promise<void> {
    this.sub = nc.subscribe(this.opts.subject, {
      ...(this.opts.queue ? { queue: this.opts.queue } : {}),
      callback: (err, m) => (err ? this.fail(err.message) : this.push(m)),
    });
    // Closed by the server (a permissions violation) or with the connection.
    void this.sub.closed.then((err) => this.fail(err ? err.message : 'the subscription was closed'));
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
    await nc.flush();
  }

  private push(m: Msg): void {
    if (this.state === 'stopped' || this.state === 'error') return;
    this.received++;
    const size = m.data.length;
    const preview = m.data.slice(0, Math.min(size, this.opts.previewBytes));
    this.buffer.push({
      subject: m.subject,
      reply: m.reply || undefined,
      timeMs: Date.now(),
      size,
      headers: headersToRecord(m.headers),
      preview,
    });
    this.bufferedBytes += preview.length;
    while (
      this.buffer.length > this.opts.bufferSize ||
      (this.bufferedBytes > MAX_BUFFERED_BYTES && this.buffer.length > 1)
    ) {
      const old = this.buffer.shift()!;
      this.bufferedBytes -= old.preview.length;
      this.droppedSinceFlush++;
      this.droppedTotal++;
    }
  }

  protected flush(): void {
    if (this.state !== 'running' || (this.buffer.length === 0 && this.droppedSinceFlush === 0)) return;
    const held = this.buffer;
    const dropped = this.droppedSinceFlush;
    this.buffer = [];
    this.bufferedBytes = 0;
    this.droppedSinceFlush = 0;
    const messages: CoreMessage[] = held.map((h) => toCoreMessage(h, h.preview, h.size));
    this.bus.emit('core.messages', { subId: this.id, messages, dropped, received: this.received });
  }

  /** Unsubscribes and drops what is held; idempotent. */
  stop(): void {
    if (this.ended) return;
    this.end();
    this.setState('stopped');
  }

  private end(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const s = this.sub;
    this.sub = undefined;
    if (s && !s.isClosed()) s.unsubscribe();
    this.buffer = [];
    this.bufferedBytes = 0;
  }

  private fail(message: string): void {
    if (this.state === 'stopped' || this.state === 'error') return;
    this.error = message;
    this.end();
    this.setState('error');
  }

  protected setState(s: CoreSubscriptionState): void {
    this.state = s;
    this.bus.emit('core.subscription.state', this.info());
  }

  get ended(): boolean {
    return this.state === 'stopped' || this.state === 'error';
  }

  info(): CoreSubscriptionInfo {
    return {
      subId: this.id,
      subject: this.opts.subject,
      queue: this.opts.queue,
      state: this.state,
      bufferSize: this.opts.bufferSize,
      received: this.received,
      dropped: this.droppedTotal,
      error: this.error,
    };
  }
}
