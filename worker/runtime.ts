import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { WorkerStatsSnapshot } from '../api/features/workers';
import { AdvisoryBridge } from '../nats/advisory-bridge';
import type { HandlerMap } from './handlers/types';
import type { TypeSnapshot } from '../nats/metrics/type-stats';
import { CancelWatch } from './runtime/cancellations';
import { ScheduledReleaser } from './scheduled/releaser';
import { LaneScheduler } from './runtime/lanes';
import { TaskReporter } from './runtime/reporter';
import { TaskRunner } from './runtime/runner';
import { RuntimeStats } from './stats';
import { StatusPublisher } from './status-publisher';
import { autoReplicas, ensureTopology, lanesFor, type Placement } from '../nats/topology';
import { jsOptions } from '../nats/connect-options';

export { plainTask } from './runtime/task-parse';

/**
 * One worker on one NATS connection: pulls tasks from its lanes, runs handlers with at most
 * `concurrency` in flight, reports status events and acks/naks/terms per the task design.
 * The parts: lane scheduling (runtime/lanes), cancellations (runtime/cancellations), one
 * task's lifecycle and its slots (runtime/runner), status events (runtime/reporter) and the
 * handler's context (runtime/task-run).
 *
 * Exactly-once *reporting*: completion is published with Nats-Msg-Id `<id>:completed` and the
 * task is acked only after its PubAck. If the worker dies between the two, JetStream redelivers
 * the task; the next worker's completion hits the stream's duplicate window (1 h, longer than
 * every redelivery) and comes back `duplicate: true`, so it just acks. The stream therefore
 * stores one `completed` per task id, whatever crashed or reconnected; `failed` likewise
 * (`<id>:failed`, whoever writes it).
 *
 * Hung handlers: each task has a timeout (default 0.9 × the consumer's ack wait), extended
 * whenever the handler calls ctx.progress() or ctx.working() (which also send +WPI). On timeout
 * the signal aborts and the attempt ends as a failure (`retrying` and a nak with backoff, or on
 * the last attempt `failed` and term); a handler that ignores the signal keeps its slot until
 * it settles.
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
  /** Replicas for the TASKS stream if this worker creates it (default: 3 on a cluster of 3+, else 1). */
  replicas?: number;
  /** Placement for the TASKS stream if this worker creates it. */
  placement?: Placement;
  /** Long-poll length of pull requests. */
  pullExpiresMs?: number;
  /**
   * Turn max-deliveries / terminated advisories into `failed` records (nats/advisory-bridge), so
   * tasks whose worker died or hung end `failed` even with no app running. Default true.
   */
  advisories?: boolean;
  /** Release due tasks of the scheduled lane (worker/scheduled). Default true. */
  scheduled?: boolean;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export type RuntimeState = 'starting' | 'running' | 'draining' | 'stopped';

export const DEFAULT_BACKOFF_MS = [1000, 5000, 25000];

export class WorkerRuntime {
  readonly stats: RuntimeStats;
  state: RuntimeState = 'stopped';
  /** Topology differences found on start (existing stream/consumers differ from the design). */
  warnings: string[] = [];
  private readonly nc: NatsConnection;
  private readonly opts: WorkerRuntimeOptions;
  private publisher?: StatusPublisher;
  private runner?: TaskRunner;
  private lanes?: LaneScheduler;
  private cancels?: CancelWatch;
  private bridge?: AdvisoryBridge;
  private releaser?: ScheduledReleaser;
  private ticker?: NodeJS.Timeout;
  private readonly stateListeners = new Set<(s: RuntimeState) => void>();

  constructor(opts: WorkerRuntimeOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1)
      throw new Error('concurrency must be an integer ≥ 1');
    this.opts = opts;
    this.nc = opts.nc;
    this.stats = new RuntimeStats(() => this.runner?.running ?? EMPTY);
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

  /** Cumulative counters per task type (for the fleet's per-type figures and /metrics). */
  typeSnapshot(): TypeSnapshot {
    return this.stats.types.snapshot();
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') throw new Error(`runtime is ${this.state}`);
    this.setState('starting');
    const opts = this.opts;
    const lanes = lanesFor(opts.types);
    const jsm = await jetstreamManager(this.nc, jsOptions(this.nc));
    const topo = await ensureTopology(jsm, {
      lanes,
      replicas: opts.replicas ?? autoReplicas(this.nc.info),
      placement: opts.placement,
    });
    this.warnings = topo.warnings;
    for (const w of topo.warnings) this.log('warn', `${w} (using the existing config)`);

    const publisher = new StatusPublisher(this.nc);
    this.publisher = publisher;
    const reporter = new TaskReporter(publisher, opts.name, (level, m) => this.log(level, m));
    const runner = new TaskRunner(reporter, this.stats, {
      concurrency: opts.concurrency,
      handlers: opts.handlers,
      backoff: opts.backoffMs && opts.backoffMs.length > 0 ? opts.backoffMs : DEFAULT_BACKOFF_MS,
      log: (level, m) => this.log(level, m),
      onSlotFreed: () => {
        this.lanes?.startQueued();
        this.lanes?.refill();
      },
      isCancelled: (id) => this.cancels?.has(id) ?? false,
    });
    this.runner = runner;
    // Existing consumers may differ from the design: follow what they actually do.
    const first = Object.values(topo.consumers)[0]?.config;
    if (first) {
      runner.limits.maxDeliver = first.max_deliver && first.max_deliver > 0 ? first.max_deliver : Infinity;
      if (first.ack_wait) runner.limits.ackWaitMs = first.ack_wait / 1e6;
    }
    runner.limits.taskTimeoutMs = opts.taskTimeoutMs ?? Math.floor(runner.limits.ackWaitMs * 0.9);

    if (opts.advisories !== false) {
      this.bridge = new AdvisoryBridge({
        nc: this.nc,
        jsm,
        writer: opts.name,
        publish: (subject, data, msgId) => publisher.publish(subject, data, msgId),
        log: (level, m) => this.log(level, m),
      });
      this.bridge.start();
    }
    this.cancels = new CancelWatch(
      this.nc,
      (id) => {
        runner.cancel(id);
        this.releaser?.cancelled(id);
      },
      (m) => this.log('warn', m),
    );
    await this.cancels.start();
    if (opts.scheduled !== false) {
      const cancels = this.cancels;
      this.releaser = new ScheduledReleaser({
        nc: this.nc,
        isCancelled: (id) => cancels.has(id),
        log: (level, m) => this.log(level, m),
      });
      this.releaser.start();
    }
    this.lanes = new LaneScheduler(
      this.nc,
      {
        concurrency: opts.concurrency,
        window: opts.concurrency + (opts.prefetch ?? Math.min(opts.concurrency, 256)),
        typed: !!opts.types?.length,
        pullExpiresMs: opts.pullExpiresMs ?? 5000,
        log: (level, m) => this.log(level, m),
      },
      runner,
      () => this.state === 'running',
    );
    this.lanes.open(lanes, jsm);
    this.ticker = setInterval(() => runner.tick(), 100);
    this.ticker.unref?.();
    void this.watchConnection();
    this.setState('running');
    this.lanes.refill();
  }

  /** Stops pulling, lets running tasks finish (queued ones go back at once), then closes. */
  async drain(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'draining') return this.waitStopped();
    this.setState('draining');
    this.lanes?.nakQueued();
    await this.runner?.outcomesSent();
    // The server skips pull requests whose inbox lost interest (checked on 2.9), so open
    // requests need no waiting out; only messages already on the wire are naked back.
    await new Promise((r) => setTimeout(r, 50));
    await this.close();
  }

  /** Stops at once: running tasks are aborted and left unacked (JetStream redelivers them). */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.setState('draining');
    this.runner?.abortAll('stopped');
    this.lanes?.nakQueued();
    await this.close();
  }

  private async close(): Promise<void> {
    this.lanes?.close();
    clearInterval(this.ticker);
    this.cancels?.close();
    this.bridge?.stop();
    await this.releaser?.stop();
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

  private setState(s: RuntimeState): void {
    this.state = s;
    this.stateListeners.forEach((l) => l(s));
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    if (this.opts.log) this.opts.log(level, message);
    else if (level !== 'info') console.error(`[worker ${this.name}] ${message}`);
  }

  private async watchConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (this.state === 'stopped') return;
      if (s.type === 'reconnect') {
        this.lanes?.reset();
        this.log('info', 'reconnected; pulling again');
        this.lanes?.refill();
      } else if (s.type === 'disconnect') {
        this.log('warn', 'disconnected from NATS; retrying');
      }
    }
  }
}

const EMPTY: ReadonlySet<never> = new Set();
