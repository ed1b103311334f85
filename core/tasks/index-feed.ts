import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { StatusCounts } from '../../api/features/tasks';
import { TASKS_STREAM } from '../../api/task-wire';
import type { TaskIndex } from './task-index';

const FLUSH_MS = 100;
const MAX_IDS_PER_EVENT = 1000;

export type ChangedListener = (p: {
  ids: string[];
  counts: StatusCounts;
  ready: boolean;
  truncated?: boolean;
}) => void;

/**
 * Feeds the TaskIndex from an ordered consumer over the whole TASKS stream (from its first
 * message: 7 days of history), then live. Changes go out as one batch per 100 ms.
 */
export class TaskIndexFeed {
  private messages?: ConsumerMessages;
  private flushTimer?: NodeJS.Timeout;
  private targetSeq = 0;
  private isReady = false;
  private waiters: { seq: number; resolve: (ok: boolean) => void; timer: NodeJS.Timeout }[] = [];
  private waiterCheck = false;
  private stopped = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly index: TaskIndex,
    private readonly onChanged: ChangedListener,
  ) {}

  get ready(): boolean {
    return this.isReady;
  }

  async start(): Promise<void> {
    const si = await this.jsm.streams.info(TASKS_STREAM);
    this.targetSeq = si.state.last_seq;
    if (si.state.messages === 0 || this.index.lastSeq >= this.targetSeq) this.markReady();
    const consumer = await this.js.consumers.get(TASKS_STREAM, { opt_start_seq: this.index.lastSeq + 1 });
    if (this.stopped) {
      await consumer.delete().catch(() => false);
      return;
    }
    this.messages = await consumer.consume({ max_messages: 5000, callback: (m) => this.onMessage(m) });
    this.flushTimer = setInterval(() => this.flush(), FLUSH_MS);
    this.flushTimer.unref();
  }

  /** Resolves true once the index has seen `seq` (read-your-writes after a publish), false on timeout. */
  waitForSeq(seq: number, timeoutMs: number): Promise<boolean> {
    if (this.index.lastSeq >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = {
        seq,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    void this.messages?.close().catch(() => undefined);
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.waiters = [];
  }

  private onMessage(m: JsMsg): void {
    this.index.ingest({
      subject: m.subject,
      seq: m.seq,
      time: m.timestamp,
      data: m.data,
      headers: m.headers,
    });
    if (!this.isReady && (m.seq >= this.targetSeq || m.info.pending === 0)) this.markReady();
    if (this.waiters.length && !this.waiterCheck) {
      // Once per event-loop turn, not once per message.
      this.waiterCheck = true;
      setImmediate(() => this.checkWaiters());
    }
  }

  private checkWaiters(): void {
    this.waiterCheck = false;
    const seen = this.index.lastSeq;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.seq <= seen) {
        clearTimeout(w.timer);
        w.resolve(true);
      } else keep.push(w);
    }
    this.waiters = keep;
  }

  private markReady(): void {
    this.isReady = true;
    this.index.live = true;
    this.flush(true);
  }

  private flush(force = false): void {
    const ids = this.index.takeChanged();
    if (!ids.length && !force) return;
    const truncated = ids.length > MAX_IDS_PER_EVENT;
    this.onChanged({
      ids: truncated ? ids.slice(-MAX_IDS_PER_EVENT) : ids,
      counts: this.index.statusCounts(),
      ready: this.isReady,
      truncated: truncated || undefined,
    });
  }
}
