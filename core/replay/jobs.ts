import { randomUUID } from 'node:crypto';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import type { JobKind, JobProgress, rateSchema } from '../../api/features/messages';
import type { z } from 'zod';
import { ApiError } from '../../api/errors';
import type { EventBus } from '../events';
import { FastPublisher } from './publisher';

export type Rate = z.output<typeof rateSchema>;

/** One message to publish; `ref` is the source sequence (replay) or line number (import). */
export interface OutMsg {
  subject: string;
  data: Uint8Array;
  headers?: MsgHdrs;
  timeMs?: number;
  seq?: number;
  line?: number;
}

const PROGRESS_MS = 250;
const MAX_ERRORS = 20;
const MAX_FINISHED_JOBS = 50;

/**
 * A publish job (replay or import): paces messages (max, N/s or original spacing), publishes
 * them with FastPublisher, counts outcomes and emits batched progress on 'replay.progress'.
 */
export class PublishJob {
  readonly id = randomUUID();
  private cancelled = false;
  readonly progress: JobProgress;
  private timer?: NodeJS.Timeout;
  private lastTick = { at: 0, sent: 0 };
  readonly finished: Promise<JobProgress>;
  private resolveFinished!: (p: JobProgress) => void;

  constructor(
    private readonly bus: EventBus,
    private readonly kind: JobKind,
    total: number,
  ) {
    const now = Date.now();
    this.progress = {
      jobId: this.id,
      kind,
      state: 'running',
      sent: 0,
      failed: 0,
      skipped: 0,
      duplicates: 0,
      total,
      rate: 0,
      done: false,
      startedAt: now,
      durationMs: 0,
      errors: [],
    };
    this.lastTick = { at: now, sent: 0 };
    this.finished = new Promise((r) => (this.resolveFinished = r));
  }

  cancel(): void {
    this.cancelled = true;
  }

  snapshot(): JobProgress {
    return {
      ...this.progress,
      errors: [...this.progress.errors],
      durationMs: this.progress.done ? this.progress.durationMs : Date.now() - this.progress.startedAt,
    };
  }

  skip(n = 1): void {
    this.progress.skipped += n;
  }

  fail(ref: { seq?: number; line?: number }, message: string): void {
    this.progress.failed++;
    if (this.progress.errors.length < MAX_ERRORS) this.progress.errors.push({ ...ref, message });
  }

  /** Runs in the background; `source` yields batches of messages to publish. */
  run(nc: NatsConnection, rate: Rate, source: AsyncIterable<OutMsg[]>): void {
    this.timer = setInterval(() => this.emit(), PROGRESS_MS);
    this.timer.unref();
    void this.publishAll(nc, rate, source)
      .then(() => this.finish(this.cancelled ? 'cancelled' : 'done'))
      .catch((err: unknown) => this.finish('failed', (err as Error).message));
  }

  private async publishAll(nc: NatsConnection, rate: Rate, source: AsyncIterable<OutMsg[]>): Promise<void> {
    const pub = new FastPublisher(nc, (ok, duplicate, error, ref) => {
      if (ok) {
        this.progress.sent++;
        if (duplicate) this.progress.duplicates++;
      } else
        this.fail(
          ref < 0 ? {} : this.kind === 'import' ? { line: ref } : { seq: ref },
          error ?? 'publish failed',
        );
    });
    const pacer = new Pacer(rate);
    try {
      for await (const batch of source) {
        for (const m of batch) {
          if (this.cancelled) return;
          // Await only when there is something to wait for: a microtask per message would
          // make nats.js flush (one socket write) per message.
          const pause = pacer.wait(m.timeMs);
          if (pause) await pause;
          const room = pub.ready();
          if (room) await room;
          // Where a failure points: the source sequence (replay) or the line (import).
          pub.send(m.subject, m.data, m.headers, (this.kind === 'import' ? m.line : m.seq) ?? -1);
        }
        if (this.cancelled) return;
      }
      await pub.drain();
    } finally {
      pub.close();
    }
  }

  private emit(): void {
    const now = Date.now();
    const dt = now - this.lastTick.at;
    if (dt > 0) this.progress.rate = Math.round(((this.progress.sent - this.lastTick.sent) * 1000) / dt);
    this.lastTick = { at: now, sent: this.progress.sent };
    this.progress.durationMs = now - this.progress.startedAt;
    this.bus.emit('replay.progress', this.snapshot());
  }

  private finish(state: JobProgress['state'], error?: string): void {
    if (this.timer) clearInterval(this.timer);
    const p = this.progress;
    p.state = state;
    p.error = error;
    p.done = true;
    p.durationMs = Date.now() - p.startedAt;
    p.rate = p.durationMs > 0 ? Math.round((p.sent * 1000) / p.durationMs) : p.sent;
    this.bus.emit('replay.progress', this.snapshot());
    this.resolveFinished(this.snapshot());
  }
}

/** Waits between messages for the chosen rate; never sleeps for less than a few ms at a time. */
class Pacer {
  private readonly t0 = performance.now();
  private count = 0;
  private virtual = 0;
  private prevTime?: number;
  constructor(private readonly rate: Rate) {}

  /** A promise only when the caller must actually wait. */
  wait(timeMs?: number): Promise<void> | undefined {
    const r = this.rate;
    let target: number;
    if (r.mode === 'max') return undefined;
    if (r.mode === 'perSecond') {
      target = this.t0 + (this.count++ * 1000) / r.perSecond;
    } else {
      if (this.prevTime !== undefined && timeMs !== undefined) {
        this.virtual += Math.min(r.maxWaitMs, Math.max(0, timeMs - this.prevTime) / r.speed);
      }
      if (timeMs !== undefined) this.prevTime = timeMs;
      target = this.t0 + this.virtual;
    }
    const ahead = target - performance.now();
    return ahead >= 4 ? new Promise((res) => setTimeout(res, ahead)) : undefined;
  }
}

/** Running and recent jobs. */
export class JobRegistry {
  private readonly jobs = new Map<string, PublishJob>();

  add(job: PublishJob): void {
    this.jobs.set(job.id, job);
    void job.finished.then(() => this.prune());
  }

  get(id: string): PublishJob {
    const j = this.jobs.get(id);
    if (!j) throw new ApiError('not_found', `no replay or import job ${id}`);
    return j;
  }

  list(): JobProgress[] {
    return [...this.jobs.values()].map((j) => j.snapshot());
  }

  cancelAll(): void {
    for (const j of this.jobs.values()) j.cancel();
  }

  private prune(): void {
    const done = [...this.jobs.values()].filter((j) => j.progress.done);
    for (const j of done.slice(0, Math.max(0, done.length - MAX_FINISHED_JOBS))) this.jobs.delete(j.id);
  }
}
