import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { WorkerStatsSnapshot } from '../api/features/workers';
import {
  LANE_CONSUMER_SETTINGS,
  SUBJECTS,
  TASKS_STREAM,
  cancelSchema,
  taskSchema,
  type StatusEvent,
  type Task,
  type TaskStatus,
} from '../api/task-wire';
import type { HandlerMap, TaskContext } from './handlers/types';
import { PullLane, type LaneProblem } from './pull-lane';
import { RuntimeStats } from './stats';
import { StatusPublisher } from './status-publisher';
import type { TaskMsg } from './task-msg';
import { ensureLaneConsumer, ensureTopology, lanesFor } from './topology';
import { jsOptions } from '../core/connections/connect-options';

/**
 * One worker on one NATS connection: pulls tasks from its lanes, runs handlers with at most
 * `concurrency` in flight, reports status events and acks/naks/terms per the task design.
 *
 * Exactly-once *reporting*: completion is published with Nats-Msg-Id `<id>:completed` and the
 * task is acked only after its PubAck. If the worker dies between the two, JetStream redelivers
 * the task; the next worker's completion hits the stream's duplicate window (1 h, longer than
 * every redelivery) and comes back `duplicate: true`, so it just acks. The stream therefore
 * stores one `completed` per task id, whatever crashed or reconnected.
 *
 * Hung handlers: each task has a timeout (default 0.9 × the consumer's ack wait), extended
 * whenever the handler calls ctx.progress() or ctx.working() (which also send +WPI). On timeout
 * the signal aborts, the slot is freed and the message is left unacked, so JetStream redelivers
 * it after ack wait (counting toward max deliver).
 */
export interface WorkerRuntimeOptions {
  nc: NatsConnection;
  /** Appears in status events as `worker`. */
  name: string;
  /** Handlers running at once. */
  concurrency: number;
  handlers: HandlerMap;
  /** Only these types' typed lanes; otherwise the high and normal lanes. */
  types?: string[];
  /** Nak delay per failed attempt (last one repeats). */
  backoffMs?: number[];
  /** Per-task timeout; default 0.9 × the consumer's ack wait. */
  taskTimeoutMs?: number;
  /** Extra tasks requested beyond `concurrency` to hide the pull round trip. Default = concurrency (≤ 256). */
  prefetch?: number;
  /** Replicas for the TASKS stream if this worker creates it. */
  replicas?: number;
  /** Long-poll length of pull requests. */
  pullExpiresMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export type RuntimeState = 'starting' | 'running' | 'draining' | 'stopped';

export const DEFAULT_BACKOFF_MS = [1000, 5000, 25000];
const PROCESSING_AFTER_MS = 250;
const CANCEL_MEMORY = 100_000;
const decoder = new TextDecoder();

type AbortReason = 'cancelled' | 'timeout' | 'stopped';

export class WorkerRuntime {
  readonly stats = new RuntimeStats(() => this.running);
  state: RuntimeState = 'stopped';
  /** Topology differences found on start (existing stream/consumers differ from the design). */
  warnings: string[] = [];
  private readonly nc: NatsConnection;
  private readonly opts: WorkerRuntimeOptions;
  private readonly backoff: number[];
  private readonly window: number;
  private publisher!: StatusPublisher;
  private lanes: PullLane[] = [];
  private readonly queue: { msg: TaskMsg; lane: PullLane }[] = [];
  private readonly highQueue: { msg: TaskMsg; lane: PullLane }[] = [];
  /** Handlers running now. */
  private readonly running = new Set<Running>();
  /** Tasks taken and not yet acked/naked/termed (handler runs plus their status reports). */
  private active = 0;
  private readonly runningById = new Map<string, Running>();
  private readonly cancelled = new Map<string, true>();
  private cancelSub?: Subscription;
  private ticker?: NodeJS.Timeout;
  private jsm?: JetStreamManager;
  private maxDeliver: number = LANE_CONSUMER_SETTINGS.max_deliver;
  private taskTimeoutMs: number = LANE_CONSUMER_SETTINGS.ack_wait_ms * 0.9;
  private ackWaitMs: number = LANE_CONSUMER_SETTINGS.ack_wait_ms;
  private idleWaiters: (() => void)[] = [];
  private readonly stateListeners = new Set<(s: RuntimeState) => void>();
  private recovering = new Set<PullLane>();

  constructor(opts: WorkerRuntimeOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1)
      throw new Error('concurrency must be an integer ≥ 1');
    this.opts = opts;
    this.nc = opts.nc;
    this.backoff = opts.backoffMs && opts.backoffMs.length > 0 ? opts.backoffMs : DEFAULT_BACKOFF_MS;
    this.window = opts.concurrency + (opts.prefetch ?? Math.min(opts.concurrency, 256));
  }

  get name(): string {
    return this.opts.name;
  }

  onState(fn: (s: RuntimeState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  snapshot(): WorkerStatsSnapshot {
    return this.stats.snapshot();
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') throw new Error(`runtime is ${this.state}`);
    this.setState('starting');
    const lanes = lanesFor(this.opts.types);
    this.jsm = await jetstreamManager(this.nc, jsOptions(this.nc));
    const topo = await ensureTopology(this.jsm, { lanes, replicas: this.opts.replicas });
    this.warnings = topo.warnings;
    for (const w of topo.warnings) this.log('warn', `${w} (using the existing config)`);
    // Existing consumers may differ from the design: follow what they actually do.
    const first = Object.values(topo.consumers)[0]?.config;
    if (first) {
      this.maxDeliver = first.max_deliver && first.max_deliver > 0 ? first.max_deliver : Infinity;
      this.ackWaitMs = first.ack_wait ? first.ack_wait / 1e6 : this.ackWaitMs;
    }
    this.taskTimeoutMs = this.opts.taskTimeoutMs ?? Math.floor(this.ackWaitMs * 0.9);
    this.publisher = new StatusPublisher(this.nc);
    await this.watchCancellations();
    this.lanes = lanes.map(
      (lane) =>
        new PullLane(
          this.nc,
          lane,
          {
            onMessage: (m, l) => this.onMessage(m, l),
            onRequestEnded: () => this.refill(),
            onProblem: (l, p, d) => void this.recover(l, p, d),
          },
          { expiresMs: this.opts.pullExpiresMs ?? 5000 },
        ),
    );
    this.ticker = setInterval(() => this.tick(), 100);
    this.ticker.unref?.();
    void this.watchConnection();
    this.setState('running');
    this.refill();
  }

  /** Stops pulling, lets running tasks finish (queued ones go back at once), then closes. */
  async drain(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'draining') return this.waitStopped();
    this.setState('draining');
    for (const q of [...this.highQueue.splice(0), ...this.queue.splice(0)]) q.msg.nak();
    await this.waitIdle();
    // The server skips pull requests whose inbox lost interest (checked on 2.9), so open
    // requests need no waiting out; only messages already on the wire are naked back.
    await new Promise((r) => setTimeout(r, 50));
    await this.close();
  }

  /** Stops at once: running tasks are aborted and left unacked (JetStream redelivers them). */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.setState('draining');
    for (const r of this.running) this.abortTask(r, 'stopped');
    for (const q of [...this.highQueue.splice(0), ...this.queue.splice(0)]) q.msg.nak();
    await this.close();
  }

  private async close(): Promise<void> {
    for (const l of this.lanes) l.close();
    this.lanes = [];
    clearInterval(this.ticker);
    this.cancelSub?.unsubscribe();
    await this.publisher?.close(this.nc.isClosed() ? 0 : 3000);
    this.setState('stopped');
  }

  private waitStopped(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.onState((s) => {
        if (s === 'stopped') {
          off();
          resolve();
        }
      });
    });
  }

  private waitIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private setState(s: RuntimeState): void {
    this.state = s;
    this.stateListeners.forEach((l) => l(s));
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    if (this.opts.log) this.opts.log(level, message);
    else if (level !== 'info') console.error(`[worker ${this.name}] ${message}`);
  }

  // ---- pulling -------------------------------------------------------------------------

  /**
   * Requests as many tasks as there is room for. A general pool keeps a small long poll on
   * the high lane at all times and, while the high lane reports a backlog, pulls only from
   * it; the normal lane gets the room only when the high lane is empty. Locally, queued high
   * tasks start before normal ones.
   */
  private refill(): void {
    if (this.state !== 'running' || this.nc.isClosed()) return;
    // Runs after every task: a plain loop, no closure.
    let free = this.window - this.active - this.queue.length - this.highQueue.length;
    for (const l of this.lanes) free -= l.outstanding;
    const threshold = Math.max(1, Math.floor(this.window / 4));
    if (this.opts.types?.length) {
      // Typed lanes share the room evenly.
      for (const l of this.lanes) {
        const share = Math.floor(this.window / this.lanes.length) - l.outstanding;
        const want = Math.min(free, Math.max(share, l.outstanding === 0 ? 1 : 0));
        if (want >= Math.min(threshold, share) && want > 0) {
          l.request(want);
          free -= want;
        }
      }
      return;
    }
    const [high, normal] = this.lanes;
    const reserve = Math.max(1, Math.min(16, Math.floor(this.window / 8)));
    if (high.outstanding < reserve) high.request(reserve - high.outstanding);
    if (free < threshold && !(free > 0 && normal.outstanding === 0 && high.outstanding === 0)) return;
    if (free <= 0) return;
    if (high.backlog > 0) high.request(free, 1000);
    else normal.request(free);
  }

  private onMessage(msg: TaskMsg, lane: PullLane): void {
    if (this.state !== 'running') {
      msg.nak();
      return;
    }
    const item = { msg, lane };
    if (this.active < this.opts.concurrency && this.queue.length === 0 && this.highQueue.length === 0) {
      void this.process(msg);
    } else if (lane.lane.consumer === this.lanes[0]?.lane.consumer && !this.opts.types?.length) {
      this.highQueue.push(item);
    } else {
      this.queue.push(item);
    }
  }

  private startQueued(): void {
    while (this.active < this.opts.concurrency && this.state === 'running') {
      const next = this.highQueue.shift() ?? this.queue.shift();
      if (!next) break;
      void this.process(next.msg);
    }
  }

  private async recover(lane: PullLane, problem: LaneProblem, detail: string): Promise<void> {
    if (this.state !== 'running' || this.recovering.has(lane) || !this.jsm) return;
    this.recovering.add(lane);
    try {
      if (problem === 'consumer_deleted' || problem === 'heartbeats_missed') {
        // The consumer may be gone: recreate it if so, then pull again. Not from the stream's
        // start: with Limits retention that would re-run a week of finished tasks; a minute
        // back covers tasks published while it was missing.
        await ensureLaneConsumer(this.jsm, lane.lane, new Date(Date.now() - 60_000)).catch((err: unknown) => {
          this.log(
            'warn',
            `lane ${lane.name}: ${problem} (${detail}); recreate failed: ${(err as Error).message}`,
          );
        });
        if (problem === 'consumer_deleted')
          this.log('warn', `lane ${lane.name}: consumer deleted, recreated`);
      } else {
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      this.recovering.delete(lane);
      this.refill();
    }
  }

  private async watchConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (this.state === 'stopped') return;
      if (s.type === 'reconnect') {
        // Pull requests die with the old connection (and with a restarted server).
        for (const l of this.lanes) l.reset();
        this.log('info', 'reconnected; pulling again');
        this.refill();
      } else if (s.type === 'disconnect') {
        this.log('warn', 'disconnected from NATS; retrying');
      }
    }
  }

  // ---- cancellation ----------------------------------------------------------------------

  private async watchCancellations(): Promise<void> {
    // Subscribe first, then read history, so no cancellation falls in between.
    this.cancelSub = this.nc.subscribe(SUBJECTS.delete, {
      callback: (_err, m) => {
        const id = parseCancel(m.data);
        if (id) this.markCancelled(id);
      },
    });
    try {
      const js = jetstream(this.nc, jsOptions(this.nc));
      const c = await js.consumers.get(TASKS_STREAM, {
        filter_subjects: SUBJECTS.delete,
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString(),
      });
      let left = (await c.info(true)).num_pending;
      while (left > 0) {
        const batch = await c.fetch({ max_messages: Math.min(left, 1000), expires: 2000 });
        let got = 0;
        for await (const m of batch) {
          got++;
          const id = parseCancel(m.data);
          if (id) this.markCancelled(id);
        }
        if (got === 0) break;
        left -= got;
      }
    } catch (err) {
      this.log('warn', `could not read earlier cancellations: ${(err as Error).message}`);
    }
  }

  private markCancelled(id: string): void {
    this.cancelled.set(id, true);
    if (this.cancelled.size > CANCEL_MEMORY)
      this.cancelled.delete(this.cancelled.keys().next().value as string);
    const r = this.runningById.get(id);
    if (r) this.abortTask(r, 'cancelled');
  }

  private abortTask(r: Running, reason: AbortReason): void {
    if (r.abortReason) return;
    r.abortReason = reason;
    const err = abortError(reason);
    r.abort?.abort(err);
    r.giveUp?.(err);
  }

  // ---- one task ------------------------------------------------------------------------
  //
  // The hot path is callbacks, not async functions: a synchronous handler (echo) runs, its
  // completion is published and the message acked from the PubAck callback, with no promise,
  // timer or closure per task besides the one PubAck callback. Only a task whose handler
  // returns a promise is registered for cancellation, timeouts and the stats' current tasks
  // (nothing can interrupt a synchronous one).

  private process(msg: TaskMsg): void {
    this.active++;
    const attempt = msg.deliveryCount;
    const task = this.parseTask(msg, attempt);
    msg.release();
    if (!task) return;

    if (this.cancelled.has(task.id)) {
      this.stats.cancelled++;
      this.report(
        msg,
        'cancelled',
        task.id,
        attempt,
        { seq: msg.seq, note: 'cancelled before it ran' },
        (ok) => {
          if (ok) msg.ack();
          this.afterTask();
        },
      );
      return;
    }
    const handler = this.opts.handlers[task.type];
    if (!handler) {
      this.stats.failed++;
      this.report(
        msg,
        'failed',
        task.id,
        attempt,
        { error: `no handler for type ${task.type}`, seq: msg.seq },
        (ok) => {
          if (ok) msg.term();
          this.afterTask();
        },
      );
      return;
    }

    const r = new Running(msg, task, attempt, Date.now(), this.taskTimeoutMs);
    if (attempt > 1) this.reportProcessing(r);
    let out: unknown;
    try {
      out = handler(task, new HandlerContext(r, this.hooks));
    } catch (err) {
      this.finish(r, true, err);
      return;
    }
    if (!isThenable(out)) {
      this.finish(r, false, out);
      return;
    }
    // The handler may ignore its signal; the runtime stops waiting for it either way (giveUp).
    this.running.add(r);
    this.runningById.set(task.id, r);
    r.registered = true;
    r.giveUp = (reason) => this.finish(r, true, reason);
    Promise.resolve(out).then(
      (value) => this.finish(r, false, value),
      (err: unknown) => this.finish(r, true, err),
    );
  }

  /** The task in a message, or undefined after reporting it `failed` and terminating it. */
  private parseTask(msg: TaskMsg, attempt: number): Task | undefined {
    try {
      const value: unknown = JSON.parse(decoder.decode(msg.data));
      const plain = plainTask(value);
      if (plain) return plain;
      const parsed = taskSchema.safeParse(value);
      if (parsed.success) return parsed.data;
      throw new Error(
        parsed.error.issues.map((i) => `${i.path.join('.') || 'task'}: ${i.message}`).join('; '),
      );
    } catch (err) {
      this.stats.failed++;
      const error = `invalid task message: ${(err as Error).message}`;
      this.report(msg, 'failed', msg.msgId ?? `seq:${msg.seq}`, attempt, { error, seq: msg.seq }, () => {
        msg.term();
        this.afterTask();
      });
      return undefined;
    }
  }

  /** The handler's outcome (once: a late settlement after the runtime gave up is ignored). */
  private finish(r: Running, failed: boolean, value: unknown): void {
    if (r.settled) return;
    r.settled = true;
    if (r.registered) {
      this.running.delete(r);
      this.runningById.delete(r.task.id);
    }
    const { msg, task, attempt } = r;
    if (r.abortReason === 'timeout' || r.abortReason === 'stopped') {
      // Left unacked: JetStream redelivers it after ack wait.
      this.log('warn', `task ${task.id}: ${r.abortReason}, left for redelivery`);
      this.afterTask();
      return;
    }
    const now = Date.now();
    if (r.abortReason === 'cancelled') {
      this.stats.cancelled++;
      this.report(msg, 'cancelled', task.id, attempt, this.timing(r, now), (ok) => {
        if (ok) msg.ack();
        this.afterTask();
      });
    } else if (!failed) {
      this.reportCompleted(r, value, now);
    } else {
      const error = errorMessage(value);
      const maxAttempts = Math.min(task.max_attempts ?? this.maxDeliver, this.maxDeliver);
      if (attempt < maxAttempts) {
        this.stats.retried++;
        const delay = this.backoff[Math.min(attempt - 1, this.backoff.length - 1)];
        this.report(msg, 'retrying', task.id, attempt, { ...this.timing(r, now), error }, (ok) => {
          if (ok) msg.nak(delay);
          this.afterTask();
        });
      } else {
        this.stats.failed++;
        this.report(msg, 'failed', task.id, attempt, { ...this.timing(r, now), error }, (ok) => {
          if (ok) msg.term();
          this.afterTask();
        });
      }
    }
  }

  /**
   * `completed` with Nats-Msg-Id `<id>:completed`, and the ack only after its PubAck (a
   * duplicate PubAck means it was reported before: ack all the same). The hot path: one event
   * object, serialised once.
   */
  private reportCompleted(r: Running, result: unknown, now: number): void {
    // Only these stay referenced until the PubAck (not the task and its payload): less to GC.
    const { msg, startedAt } = r;
    const id = r.task.id;
    let data: string;
    try {
      data = JSON.stringify({
        id,
        status: 'completed',
        at: isoTime(now),
        attempt: r.attempt,
        worker: this.name,
        seq: msg.seq,
        started_at: isoTime(startedAt),
        duration_ms: now - startedAt,
        result,
      } satisfies StatusEvent);
    } catch (err) {
      // Not serialisable (a cycle, a BigInt): left unacked, so it is redelivered and retried.
      this.log('error', `could not report completed for ${id} (seq ${msg.seq}): ${(err as Error).message}`);
      this.afterTask();
      return;
    }
    this.publisher.submit(COMPLETED_SUBJECT, data, `${id}:completed`, (err) => {
      if (err) {
        this.log('error', `could not report completed for ${id} (seq ${msg.seq}): ${err.message}`);
      } else {
        msg.ack();
        this.stats.processed++;
        this.stats.latency.record(Date.now() - startedAt);
      }
      this.afterTask();
    });
  }

  private timing(r: Running, now: number): Partial<StatusEvent> {
    return { seq: r.msg.seq, started_at: isoTime(r.startedAt), duration_ms: now - r.startedAt };
  }

  /** What a handler's context calls back into (one object for all tasks). */
  private readonly hooks: ContextHooks = {
    progress: (r, fraction, note) => {
      this.keepAlive(r);
      const progress = Math.min(1, Math.max(0, Number(fraction) || 0));
      this.publisher.fire(
        SUBJECTS.status('processing'),
        JSON.stringify(this.event('processing', r.task.id, r.attempt, { progress, note, seq: r.msg.seq })),
        `${r.task.id}:processing:${r.attempt}:${Date.now()}`,
      );
      r.reportedProcessing = true;
    },
    log: (r, args) => this.log('info', `task ${r.task.id}: ${args.map(String).join(' ')}`),
    working: (r) => this.keepAlive(r),
    worker: () => this.name,
  };

  private keepAlive(r: Running): void {
    if (r.abortReason || r.settled) return;
    r.deadline = Date.now() + this.taskTimeoutMs;
    r.msg.working();
  }

  private afterTask(): void {
    this.active--;
    if (this.active === 0 && this.idleWaiters.length) this.idleWaiters.splice(0).forEach((w) => w());
    this.startQueued();
    this.refill();
  }

  private tick(): void {
    const now = Date.now();
    for (const r of this.running) {
      if (!r.reportedProcessing && now - r.startedAt >= PROCESSING_AFTER_MS) this.reportProcessing(r);
      if (now >= r.deadline && !r.abortReason) {
        this.log('warn', `task ${r.task.id} exceeded its ${this.taskTimeoutMs} ms timeout`);
        this.abortTask(r, 'timeout');
      }
    }
  }

  private reportProcessing(r: Running): void {
    r.reportedProcessing = true;
    this.publisher.fire(
      SUBJECTS.status('processing'),
      JSON.stringify(
        this.event('processing', r.task.id, r.attempt, {
          seq: r.msg.seq,
          started_at: isoTime(r.startedAt),
        }),
      ),
      `${r.task.id}:processing:${r.attempt}`,
    );
  }

  private event(status: TaskStatus, id: string, attempt: number, extra: Partial<StatusEvent>): StatusEvent {
    return { id, status, at: isoTime(Date.now()), attempt, worker: this.name, ...extra };
  }

  /**
   * Publishes a status event; `then(stored)` runs after its PubAck, so the ack/nak/term that
   * follows never outruns the report. `stored` is false when it could not be stored (the task
   * is then left unacked and redelivered). A duplicate counts as stored: someone reported it.
   */
  private report(
    msg: TaskMsg,
    status: TaskStatus,
    id: string,
    attempt: number,
    extra: Partial<StatusEvent>,
    then: (stored: boolean) => void,
  ): void {
    const fail = (err: Error) => {
      this.log('error', `could not report ${status} for ${id} (seq ${msg.seq}): ${err.message}`);
      then(false);
    };
    let data: string;
    try {
      data = JSON.stringify(this.event(status, id, attempt, extra));
    } catch (err) {
      fail(err as Error);
      return;
    }
    this.publisher.submit(SUBJECTS.status(status), data, `${id}:${status}:${attempt}`, (err) =>
      err ? fail(err) : then(true),
    );
  }
}

const COMPLETED_SUBJECT = SUBJECTS.status('completed');

/** ISO time of `ms`, cached: many events share a millisecond. */
let isoMs = -1;
let isoText = '';
function isoTime(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

/** A task handed to its handler, as the runtime tracks it. */
class Running {
  reportedProcessing = false;
  deadline: number;
  /** Created only when the handler reads ctx.signal (most fast handlers never do). */
  abort?: AbortController;
  abortReason?: AbortReason;
  /** In `running`/`runningById`: only while a handler's promise is pending. */
  registered = false;
  /** The runtime has taken its outcome (or given up on it); later settlements are ignored. */
  settled = false;
  /** Stops the runtime's wait for a pending handler (abort, timeout, stop). */
  giveUp?: (reason: Error) => void;

  constructor(
    readonly msg: TaskMsg,
    readonly task: Task,
    readonly attempt: number,
    readonly startedAt: number,
    timeoutMs: number,
  ) {
    this.deadline = startedAt + timeoutMs;
  }
}

interface ContextHooks {
  progress(r: Running, fraction: number, note?: string): void;
  log(r: Running, args: unknown[]): void;
  working(r: Running): void;
  worker(): string;
}

/**
 * The handler's `ctx`. Its functions are created on first use and bound, so handlers may
 * destructure them (`{ signal, progress }`), while a handler that never touches ctx (echo)
 * costs one small object and no closures.
 */
class HandlerContext implements TaskContext {
  readonly #run: Running;
  readonly #hooks: ContextHooks;
  #progress?: TaskContext['progress'];
  #log?: TaskContext['log'];
  #working?: TaskContext['working'];

  constructor(run: Running, hooks: ContextHooks) {
    this.#run = run;
    this.#hooks = hooks;
  }

  get signal(): AbortSignal {
    const r = this.#run;
    r.abort ??= new AbortController();
    if (r.abortReason && !r.abort.signal.aborted) r.abort.abort(abortError(r.abortReason));
    return r.abort.signal;
  }

  get attempt(): number {
    return this.#run.attempt;
  }

  get worker(): string {
    return this.#hooks.worker();
  }

  get progress(): TaskContext['progress'] {
    return (this.#progress ??= (fraction, note) => this.#hooks.progress(this.#run, fraction, note));
  }

  get log(): TaskContext['log'] {
    return (this.#log ??= (...args) => this.#hooks.log(this.#run, args));
  }

  get working(): TaskContext['working'] {
    return (this.#working ??= () => this.#hooks.working(this.#run));
  }
}

function abortError(reason: AbortReason): Error {
  return new Error(
    reason === 'cancelled' ? 'task cancelled' : reason === 'timeout' ? 'task timed out' : 'worker stopped',
  );
}

const TASK_ID = /^[A-Za-z0-9_.:-]{1,200}$/;
const TASK_TYPE = /^[A-Za-z0-9_-]{1,128}$/;
const PLAIN_TASK_KEYS = new Set(['id', 'type', 'payload', 'created_at', 'priority', 'max_attempts']);

/**
 * The common task shape checked by hand, as taskSchema would accept it: zod costs several µs
 * per task. Anything else (metadata, unknown keys, a bad field) returns undefined and goes
 * through taskSchema, which copies, strips and explains errors.
 */
export function plainTask(v: unknown): Task | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const t = v as Record<string, unknown>;
  for (const k in t) if (!PLAIN_TASK_KEYS.has(k)) return undefined;
  if (typeof t.id !== 'string' || !TASK_ID.test(t.id)) return undefined;
  if (typeof t.type !== 'string' || !TASK_TYPE.test(t.type)) return undefined;
  if (typeof t.created_at !== 'string' || !('payload' in t)) return undefined;
  if (t.priority !== undefined && t.priority !== 'normal' && t.priority !== 'high') return undefined;
  const m = t.max_attempts;
  if (m !== undefined && !(typeof m === 'number' && Number.isInteger(m) && m >= 1 && m <= 100))
    return undefined;
  return t as Task;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

function parseCancel(data: Uint8Array): string | undefined {
  try {
    const r = cancelSchema.safeParse(JSON.parse(decoder.decode(data)));
    return r.success ? r.data.id : undefined;
  } catch {
    return undefined;
  }
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
