import { LANE_CONSUMER_SETTINGS, taskRecordId, type StatusEvent, type Task } from '../../api/task-wire';
import type { HandlerMap } from '../handlers/types';
import type { RuntimeStats } from '../stats';
import type { PublishFailure } from '../status-publisher';
import type { TaskMsg } from '../task-msg';
import type { ReportOutcome, TaskReporter } from './reporter';
import { isoTime } from './reporter';
import { jsonOrUndefined, parseTask } from './task-parse';
import {
  HandlerContext,
  Running,
  abortError,
  errorMessage,
  isThenable,
  type AbortReason,
  type ContextHooks,
} from './task-run';

/** What the consumer actually does (an existing consumer may differ from the design). */
export interface ConsumerLimits {
  maxDeliver: number;
  ackWaitMs: number;
  /** The runtime gives up on a handler after this long without a result, progress or working(). */
  taskTimeoutMs: number;
}

export interface RunnerOptions {
  concurrency: number;
  handlers: HandlerMap;
  /** Nak delay per failed attempt (last one repeats). */
  backoff: number[];
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** A slot came free: start what is queued, pull more. */
  onSlotFreed: () => void;
  /** Whether a task id was cancelled (tasks.delete) before it ran. */
  isCancelled: (id: string) => boolean;
}

const PROCESSING_AFTER_MS = 250;

/**
 * One task's lifecycle: parse, run the handler, report its end and ack/nak/term after the
 * report's PubAck. The worker that runs a task's last allowed attempt writes its end whatever
 * it is: the handler's error, a timeout it sees, or a result it cannot publish (too large for
 * max_payload, a full stream) → `failed` and term at once.
 *
 * The hot path is callbacks, not async functions: a synchronous handler (echo) runs, its
 * completion is published and the message acked from the PubAck callback, with no promise,
 * timer or closure per task besides the one PubAck callback. Only a task whose handler returns
 * a promise is registered for cancellation, timeouts and the stats' current tasks (nothing can
 * interrupt a synchronous one).
 *
 * Slots: a task holds one from the moment it is taken until its outcome is sent AND its handler
 * has settled, so a handler that ignores its abort signal keeps its slot; a redelivery of a task
 * whose earlier run is still going here is not started beside it.
 */
export class TaskRunner {
  /** Handlers whose promise is pending (given-up ones included, until they settle). */
  readonly running = new Set<Running>();
  /** Slots in use. */
  active = 0;
  limits: ConsumerLimits = {
    maxDeliver: LANE_CONSUMER_SETTINGS.max_deliver,
    ackWaitMs: LANE_CONSUMER_SETTINGS.ack_wait_ms,
    taskTimeoutMs: Math.floor(LANE_CONSUMER_SETTINGS.ack_wait_ms * 0.9),
  };
  /** Tasks whose outcome (ack/nak/term, or left for redelivery) is not sent yet. */
  private outstanding = 0;
  private readonly byId = new Map<string, Running>();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly reporter: TaskReporter,
    private readonly stats: RuntimeStats,
    private readonly opts: RunnerOptions,
  ) {}

  /** How often a long handler should call working(): a quarter of ack wait, 100 ms..10 s. */
  get heartbeatMs(): number {
    return Math.min(10_000, Math.max(100, Math.floor(this.limits.ackWaitMs / 4)));
  }

  /** Resolves once every taken task's outcome is sent (handlers that ignored an abort aside). */
  outcomesSent(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** A cancel request: aborts the task if it runs here. */
  cancel(id: string): void {
    const r = this.byId.get(id);
    if (r) this.abort(r, 'cancelled');
  }

  /** Stops waiting for every running handler (signals abort); their tasks are left for redelivery. */
  abortAll(reason: AbortReason): void {
    for (const r of this.running) this.abort(r, reason);
  }

  /** Every 100 ms: `processing` for slow tasks, timeouts. */
  tick(): void {
    const now = Date.now();
    for (const r of this.running) {
      if (r.abortReason) continue;
      if (!r.reportedProcessing && now - r.startedAt >= PROCESSING_AFTER_MS) this.reportProcessing(r);
      if (now >= r.deadline) {
        this.opts.log('warn', `task ${r.task.id} exceeded its ${this.limits.taskTimeoutMs} ms timeout`);
        this.abort(r, 'timeout');
      }
    }
  }

  run(msg: TaskMsg): void {
    this.active++;
    this.outstanding++;
    const attempt = msg.deliveryCount;
    let task: Task;
    try {
      task = parseTask(msg.data);
    } catch (err) {
      this.invalid(msg, attempt, err as Error);
      return;
    } finally {
      msg.release();
    }
    if (this.opts.isCancelled(task.id)) {
      this.stats.cancelled++;
      this.reporter.report(
        msg,
        'cancelled',
        task.id,
        attempt,
        { seq: msg.seq, note: 'cancelled before it ran' },
        (outcome) => {
          if (outcome !== 'lost') msg.ack();
          this.done();
        },
      );
      return;
    }
    const maxAttempts = Math.min(task.max_attempts ?? this.limits.maxDeliver, this.limits.maxDeliver);
    const handler = this.opts.handlers[task.type];
    if (!handler) {
      this.fail(msg, task, attempt, {
        error: `no handler for type ${task.type}`,
        seq: msg.seq,
        type: task.type,
      });
      return;
    }
    const earlier = this.byId.get(task.id);
    if (earlier && earlier.msg.seq === msg.seq) {
      this.stillRunning(msg, task, attempt, maxAttempts, earlier);
      return;
    }

    const r = new Running(msg, task, attempt, maxAttempts, Date.now(), this.limits.taskTimeoutMs);
    if (attempt > 1) this.reportProcessing(r);
    let out: unknown;
    try {
      out = handler(task, new HandlerContext(r, this.hooks));
    } catch (err) {
      r.handlerDone = true;
      this.finish(r, true, err);
      return;
    }
    if (!isThenable(out)) {
      r.handlerDone = true;
      this.finish(r, false, out);
      return;
    }
    // The handler may ignore its signal; the runtime stops waiting for it either way (giveUp),
    // but its slot stays taken until it settles.
    this.running.add(r);
    this.byId.set(task.id, r);
    r.registered = true;
    r.giveUp = (reason) => this.finish(r, true, reason);
    Promise.resolve(out).then(
      (value) => {
        this.handlerSettled(r);
        this.finish(r, false, value);
      },
      (err: unknown) => {
        this.handlerSettled(r);
        this.finish(r, true, err);
      },
    );
  }

  /** Not a task: reported `failed` (under its JSON id, Nats-Msg-Id or `seq:N`) and terminated. */
  private invalid(msg: TaskMsg, attempt: number, err: Error): void {
    this.stats.count('invalid', 'failed');
    const id = taskRecordId(jsonOrUndefined(msg.data), msg.msgId, msg.seq);
    const error = `invalid task message: ${err.message}`;
    this.reporter.report(msg, 'failed', id, attempt, { error, seq: msg.seq }, () => {
      msg.term();
      this.done();
    });
  }

  /** A redelivery of a task whose earlier run still holds a slot here: not run beside it. */
  private stillRunning(msg: TaskMsg, task: Task, attempt: number, maxAttempts: number, earlier: Running) {
    const why = earlier.abortReason
      ? `its handler ignored the abort signal (${abortError(earlier.abortReason).message})`
      : 'its handler has not returned';
    const error = `attempt ${earlier.attempt} of this task is still running on ${this.reporter.worker}: ${why}`;
    if (attempt < maxAttempts) {
      this.stats.count(task.type, 'retried');
      const delay = this.delay(attempt);
      this.reporter.report(msg, 'retrying', task.id, attempt, { seq: msg.seq, error }, (outcome) => {
        if (outcome === 'stored') msg.nak(delay);
        else if (outcome === 'final') msg.term();
        this.done();
      });
    } else {
      this.fail(msg, task, attempt, { seq: msg.seq, error, type: task.type });
    }
  }

  /** The handler's outcome (once: a late settlement after the runtime gave up is ignored). */
  private finish(r: Running, failed: boolean, value: unknown): void {
    if (r.settled) return;
    r.settled = true;
    const now = Date.now();
    switch (r.abortReason) {
      case 'stopped':
        // Left unacked: JetStream redelivers it after ack wait.
        this.opts.log('warn', `task ${r.task.id}: worker stopped, left for redelivery`);
        this.ended(r);
        return;
      case 'cancelled':
        this.stats.cancelled++;
        this.reporter.report(r.msg, 'cancelled', r.task.id, r.attempt, this.reporter.timing(r, now), (o) => {
          if (o !== 'lost') r.msg.ack();
          this.ended(r);
        });
        return;
      case 'timeout':
        this.failure(
          r,
          `timed out after ${this.limits.taskTimeoutMs} ms without a result, progress() or working()`,
          now,
        );
        return;
    }
    if (failed) this.failure(r, errorMessage(value), now);
    else this.complete(r, value, now);
  }

  /** `retrying` and a nak with backoff, or on the last attempt `failed` and term. */
  private failure(r: Running, error: string, now: number): void {
    const { msg, task, attempt } = r;
    if (!r.lastAttempt) {
      this.stats.count(task.type, 'retried');
      const delay = this.delay(attempt);
      this.reporter.report(
        msg,
        'retrying',
        task.id,
        attempt,
        { ...this.reporter.timing(r, now), error },
        (o) => {
          if (o === 'stored') msg.nak(delay);
          else if (o === 'final') msg.term();
          this.ended(r);
        },
      );
    } else {
      this.stats.count(task.type, 'failed');
      const extra = { ...this.reporter.timing(r, now), error, type: task.type };
      this.reporter.report(msg, 'failed', task.id, attempt, extra, (o) => {
        if (o !== 'lost') msg.term();
        this.ended(r);
      });
    }
  }

  /**
   * Acks only after the completion's PubAck. A completion the server refuses for good (too
   * large for max_payload, a full stream) or that cannot be serialised fails the task at once.
   */
  private complete(r: Running, result: unknown, now: number): void {
    const { msg, startedAt, attempt } = r;
    const { id, type } = r.task;
    this.reporter.completed(r, result, now, (outcome, err) => {
      if (outcome === 'stored') {
        msg.ack();
        this.stats.count(type, 'processed');
        this.stats.observe(type, Date.now() - startedAt);
        this.done();
      } else if (outcome === 'final') {
        this.refused(msg, id, type, attempt, startedAt, err!);
      } else {
        this.done(); // lost: left unacked, JetStream redelivers it
      }
    });
  }

  /**
   * Its result cannot be stored: `failed` with the reason, then term, so it stops retrying. In
   * a full stream the (small) failed event is most likely refused as well: then it is logged
   * and the message terminated all the same; the terminated advisory is the trace left.
   */
  private refused(
    msg: TaskMsg,
    id: string,
    type: string,
    attempt: number,
    startedAt: number,
    err: PublishFailure,
  ) {
    this.stats.count(type, 'failed');
    const error =
      err.kind === 'too_large'
        ? `result too large to report: ${err.message}`
        : err.kind === 'stream_full'
          ? `stream full, result not stored: ${err.message}`
          : `result not reported: ${err.message}`;
    const now = Date.now();
    const extra = { seq: msg.seq, started_at: isoTime(startedAt), duration_ms: now - startedAt, error, type };
    this.reporter.report(msg, 'failed', id, attempt, extra, (outcome, why) => {
      if (outcome === 'final')
        this.opts.log(
          'error',
          `task ${id}: ${error}; its failed event was refused too (${why?.message}); terminated`,
        );
      this.terminate(msg, outcome);
    });
  }

  /** Counted and reported `failed`, then terminated. */
  private fail(msg: TaskMsg, task: Task, attempt: number, extra: Partial<StatusEvent>): void {
    this.stats.count(task.type, 'failed');
    this.reporter.report(msg, 'failed', task.id, attempt, extra, (outcome) => this.terminate(msg, outcome));
  }

  /** After a `failed` report: term (unless the report was lost: then JetStream redelivers it). */
  private terminate(msg: TaskMsg, outcome: ReportOutcome): void {
    if (outcome !== 'lost') msg.term();
    this.done();
  }

  private delay(attempt: number): number {
    const b = this.opts.backoff;
    return b[Math.min(attempt - 1, b.length - 1)];
  }

  /** What a handler's context calls back into (one object for all tasks). */
  private readonly hooks: ContextHooks = {
    progress: (r, fraction, note) => {
      this.keepAlive(r);
      const progress = Math.min(1, Math.max(0, Number(fraction) || 0));
      this.reporter.processing(r, { progress, note }, `${r.task.id}:processing:${r.attempt}:${Date.now()}`);
      r.reportedProcessing = true;
    },
    log: (r, args) => this.opts.log('info', `task ${r.task.id}: ${args.map(String).join(' ')}`),
    working: (r) => this.keepAlive(r),
    worker: () => this.reporter.worker,
    heartbeatMs: () => this.heartbeatMs,
  };

  private keepAlive(r: Running): void {
    if (r.abortReason || r.settled) return;
    r.deadline = Date.now() + this.limits.taskTimeoutMs;
    r.msg.working();
  }

  private reportProcessing(r: Running): void {
    r.reportedProcessing = true;
    this.reporter.processing(r, { started_at: isoTime(r.startedAt) }, `${r.task.id}:processing:${r.attempt}`);
  }

  private abort(r: Running, reason: AbortReason): void {
    if (r.abortReason) return;
    r.abortReason = reason;
    const err = abortError(reason);
    r.abort?.abort(err);
    r.giveUp?.(err);
  }

  // ---- slots

  /** The handler's promise settled: its slot is free once the outcome is sent too. */
  private handlerSettled(r: Running): void {
    r.handlerDone = true;
    this.running.delete(r);
    if (this.byId.get(r.task.id) === r) this.byId.delete(r.task.id);
    if (r.outcomeDone) this.freeSlot();
  }

  /** A registered run's outcome is sent. */
  private ended(r: Running): void {
    r.outcomeDone = true;
    this.outcomeSent();
    if (r.handlerDone) this.freeSlot();
  }

  /** A task without a pending handler is done: outcome sent, slot free. */
  private done(): void {
    this.outcomeSent();
    this.freeSlot();
  }

  private outcomeSent(): void {
    this.outstanding--;
    if (this.outstanding === 0 && this.idleWaiters.length) this.idleWaiters.splice(0).forEach((w) => w());
  }

  private freeSlot(): void {
    this.active--;
    this.opts.onSlotFreed();
  }
}
