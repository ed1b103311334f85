import type { BulkProgress } from '../../api/features/tasks';
import { taskIds } from './ids';
import type { AckResult, PubAckWindow } from './pub-ack-window';
import type { TaskEncoder } from './task-builder';

const MAX_REPORTED_ERRORS = 5;

export interface BulkOptions {
  count: number;
  ratePerSec?: number;
  idPrefix?: string;
  /** Called about every `progressMs` while running, and once at the end. */
  onProgress?: (p: BulkProgress) => void;
  progressMs?: number;
}

/**
 * Publishes `count` tasks of one shape through the PubAck window, optionally paced to a
 * rate, cancellable; progress is reported on a timer, never per task.
 */
export class BulkJob {
  private sent = 0;
  private acked = 0;
  private failed = 0;
  private duplicates = 0;
  private readonly errors: string[] = [];
  private state: BulkProgress['state'] = 'running';
  private error?: string;
  private startedAt = 0;
  private endedAt = 0;
  private cancelled = false;
  /** Why sending stopped early (a full stream refuses every further task too). */
  private stoppedBy?: string;
  private timer?: NodeJS.Timeout;
  private readonly settledAll: Promise<void>;
  private resolveSettled!: () => void;
  private readonly onAck = (r: AckResult) => this.count(r);

  constructor(
    readonly id: string,
    private readonly window: PubAckWindow,
    private readonly encoder: TaskEncoder,
    private readonly opts: BulkOptions,
  ) {
    this.settledAll = new Promise((resolve) => (this.resolveSettled = resolve));
  }

  /** Runs to the end (or cancel); resolves with the final progress. */
  async run(): Promise<BulkProgress> {
    this.startedAt = Date.now();
    if (this.opts.onProgress) {
      this.timer = setInterval(() => this.opts.onProgress?.(this.progress()), this.opts.progressMs ?? 100);
      this.timer.unref();
    }
    try {
      await this.sendAll();
      if (this.sent === this.acked + this.failed) this.resolveSettled();
      await this.settledAll;
      this.state = this.cancelled
        ? 'cancelled'
        : this.stoppedBy || (this.failed > 0 && this.acked === 0)
          ? 'error'
          : 'done';
      if (this.state === 'error') this.error ??= this.stoppedBy ?? this.errors[0];
    } catch (err) {
      this.state = 'error';
      this.error = (err as Error).message;
    } finally {
      this.endedAt = Date.now();
      if (this.timer) clearInterval(this.timer);
    }
    const final = this.progress();
    this.opts.onProgress?.(final);
    return final;
  }

  cancel(): void {
    this.cancelled = true;
  }

  progress(): BulkProgress {
    const elapsedMs = (this.endedAt || Date.now()) - this.startedAt;
    return {
      jobId: this.id,
      total: this.opts.count,
      sent: this.sent,
      acked: this.acked,
      failed: this.failed,
      duplicates: this.duplicates,
      ratePerSec: elapsedMs > 0 ? Math.round((this.acked * 1000) / elapsedMs) : 0,
      elapsedMs,
      state: this.state,
      error: this.error,
      errors: this.errors.length ? [...this.errors] : undefined,
    };
  }

  private async sendAll(): Promise<void> {
    const { count, ratePerSec, idPrefix } = this.opts;
    let createdAt = new Date().toISOString();
    let stampMs = Date.now();
    for (let i = 0; i < count && !this.cancelled && !this.stoppedBy; i++) {
      if (ratePerSec) {
        const due = this.startedAt + (i * 1000) / ratePerSec;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        if (this.cancelled) break;
      }
      const room = this.window.ready();
      if (room) await room;
      // One Date per millisecond, not per task.
      const now = Date.now();
      if (now !== stampMs) {
        stampMs = now;
        createdAt = new Date(now).toISOString();
      }
      const id = idPrefix ? `${idPrefix}-${i + 1}` : taskIds.next(now);
      const msg = this.encoder.encode(id, createdAt);
      this.sent++;
      this.window.send(msg, this.onAck);
    }
  }

  private count(r: AckResult): void {
    if (r.ok) {
      this.acked++;
      if (r.duplicate) this.duplicates++;
    } else {
      this.failed++;
      if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push(r.error);
      if (r.code === 'stream_full') this.stoppedBy ??= `stopped after ${this.sent} sent: ${r.error}`;
    }
    if (
      this.acked + this.failed === this.sent &&
      (this.sent === this.opts.count || this.cancelled || this.stoppedBy)
    )
      this.resolveSettled();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
