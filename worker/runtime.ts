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

interface Running {
  msg: TaskMsg;
  task: Task;
  attempt: number;
  startedAt: number;
  deadline: number;
  reportedProcessing: boolean;
  /** Created only when the handler reads ctx.signal (most fast handlers never do). */
  abort?: AbortController;
  abortReason?: AbortReason;
  /** Rejects the runtime's wait for the handler (abort, timeout, stop). */
  giveUp?: (reason: Error) => void;
}

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
    this.jsm = await jetstreamManager(this.nc);
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
    const queued = this.queue.length + this.highQueue.length;
    let free = this.window - this.active - queued - this.lanes.reduce((n, l) => n + l.outstanding, 0);
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
      const js = jetstream(this.nc);
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
    const err = new Error(
      reason === 'cancelled' ? 'task cancelled' : reason === 'timeout' ? 'task timed out' : 'worker stopped',
    );
    r.abort?.abort(err);
    r.giveUp?.(err);
  }

  // ---- one task ------------------------------------------------------------------------

  private async process(msg: TaskMsg): Promise<void> {
    this.active++;
    const attempt = msg.deliveryCount;
    let task: Task;
    try {
      const parsed = taskSchema.safeParse(JSON.parse(decoder.decode(msg.data)));
      if (!parsed.success)
        throw new Error(
          parsed.error.issues.map((i) => `${i.path.join('.') || 'task'}: ${i.message}`).join('; '),
        );
      task = parsed.data;
    } catch (err) {
      const id = msg.msgId ?? `seq:${msg.seq}`;
      this.stats.failed++;
      await this.report(msg, 'failed', id, attempt, {
        error: `invalid task message: ${(err as Error).message}`,
        seq: msg.seq,
      });
      msg.term();
      this.afterTask();
      return;
    }

    if (this.cancelled.has(task.id)) {
      this.stats.cancelled++;
      if (
        await this.report(msg, 'cancelled', task.id, attempt, {
          seq: msg.seq,
          note: 'cancelled before it ran',
        })
      )
        msg.ack();
      this.afterTask();
      return;
    }
    const handler = this.opts.handlers[task.type];
    if (!handler) {
      this.stats.failed++;
      if (
        await this.report(msg, 'failed', task.id, attempt, {
          error: `no handler for type ${task.type}`,
          seq: msg.seq,
        })
      ) {
        msg.term();
      }
      this.afterTask();
      return;
    }

    const startedAt = Date.now();
    const r: Running = {
      msg,
      task,
      attempt,
      startedAt,
      deadline: startedAt + this.taskTimeoutMs,
      reportedProcessing: false,
    };
    this.running.add(r);
    this.runningById.set(task.id, r);
    if (attempt > 1) this.reportProcessing(r);

    let result: unknown;
    let error: unknown;
    let failed = false;
    try {
      result = this.runHandler(handler, r);
      // Synchronous handlers (echo) skip a promise round.
      if (isThenable(result)) result = await result;
    } catch (err) {
      failed = true;
      error = err;
    }
    this.running.delete(r);
    this.runningById.delete(task.id);
    const base = {
      seq: msg.seq,
      started_at: new Date(startedAt).toISOString(),
      duration_ms: Date.now() - startedAt,
    };

    try {
      if (r.abortReason === 'cancelled') {
        this.stats.cancelled++;
        if (await this.report(msg, 'cancelled', task.id, attempt, base)) msg.ack();
      } else if (r.abortReason === 'timeout' || r.abortReason === 'stopped') {
        // Left unacked: JetStream redelivers it after ack wait.
        this.log('warn', `task ${task.id}: ${r.abortReason}, left for redelivery`);
      } else if (!failed) {
        const ack = await this.report(
          msg,
          'completed',
          task.id,
          attempt,
          { ...base, result },
          `${task.id}:completed`,
        );
        if (ack) {
          msg.ack();
          this.stats.processed++;
          this.stats.latency.record(Date.now() - startedAt);
        }
      } else {
        const message = errorMessage(error);
        const maxAttempts = Math.min(task.max_attempts ?? this.maxDeliver, this.maxDeliver);
        if (attempt < maxAttempts) {
          this.stats.retried++;
          const delay = this.backoff[Math.min(attempt - 1, this.backoff.length - 1)];
          if (await this.report(msg, 'retrying', task.id, attempt, { ...base, error: message }))
            msg.nak(delay);
        } else {
          this.stats.failed++;
          if (await this.report(msg, 'failed', task.id, attempt, { ...base, error: message })) msg.term();
        }
      }
    } finally {
      this.afterTask();
    }
  }

  /** Runs the handler; a promise result is raced against the runtime giving up on it. */
  private runHandler(handler: HandlerMap[string], r: Running): unknown {
    const ctx: TaskContext = {
      get signal() {
        r.abort ??= new AbortController();
        return r.abort.signal;
      },
      attempt: r.attempt,
      worker: this.name,
      progress: (fraction, note) => {
        this.keepAlive(r);
        const progress = Math.min(1, Math.max(0, Number(fraction) || 0));
        this.publisher.fire(
          SUBJECTS.status('processing'),
          JSON.stringify(this.event('processing', r.task.id, r.attempt, { progress, note, seq: r.msg.seq })),
          `${r.task.id}:processing:${r.attempt}:${Date.now()}`,
        );
        r.reportedProcessing = true;
      },
      log: (...args) => this.log('info', `task ${r.task.id}: ${args.map(String).join(' ')}`),
      working: () => this.keepAlive(r),
    };
    const out = handler(r.task, ctx);
    if (!isThenable(out)) return out;
    // The handler may ignore its signal; the runtime stops waiting for it either way.
    return new Promise((resolve, reject) => {
      r.giveUp = reject;
      out.then(resolve, reject);
    });
  }

  private keepAlive(r: Running): void {
    if (r.abortReason) return;
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
          started_at: new Date(r.startedAt).toISOString(),
        }),
      ),
      `${r.task.id}:processing:${r.attempt}`,
    );
  }

  private event(status: TaskStatus, id: string, attempt: number, extra: Partial<StatusEvent>): StatusEvent {
    return { id, status, at: new Date().toISOString(), attempt, worker: this.name, ...extra };
  }

  /**
   * Publishes a status event and waits for its PubAck, so the ack/nak/term that follows never
   * outruns the report. False when it could not be stored (the task is then left unacked and
   * redelivered). A duplicate counts as stored: someone reported it already.
   */
  private async report(
    msg: TaskMsg,
    status: TaskStatus,
    id: string,
    attempt: number,
    extra: Partial<StatusEvent>,
    msgId = `${id}:${status}:${attempt}`,
  ): Promise<boolean> {
    try {
      await this.publisher.publish(
        SUBJECTS.status(status),
        JSON.stringify(this.event(status, id, attempt, extra)),
        msgId,
      );
      return true;
    } catch (err) {
      this.log('error', `could not report ${status} for ${id} (seq ${msg.seq}): ${(err as Error).message}`);
      return false;
    }
  }
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
