import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type {
  PoolState,
  PoolStatus,
  WorkerCard,
  WorkerState,
  WorkerStatsSnapshot,
} from '../api/features/workers';
import { ApiError } from '../api/errors';
import type { MainToThread, ThreadConfig, ThreadConnectInfo, ThreadToMain } from './protocol';
import { CarriedCounts, EMPTY_STATS } from './stats';
import { LatencyHistogram, type LatencySnapshot } from '../nats/latency-histogram';
import { TypeStats, type TypeSnapshot } from '../nats/metrics/type-stats';
import type { PoolMetricsSnapshot } from '../nats/metrics/inputs';

/**
 * The in-process pool: N worker_threads, each with its own NATS connection and WorkerRuntime,
 * all sharing the lane consumers (JetStream spreads the tasks). A thread that crashes is
 * restarted with backoff; its unacked tasks are redelivered by JetStream after ack wait.
 */
export interface PoolConfig {
  connect: ThreadConnectInfo;
  threads: number;
  concurrency: number;
  types?: string[];
  handlers?: string;
  backoffMs?: number[];
  taskTimeoutMs?: number;
  /**
   * Whether the pool turns max-deliveries / terminated advisories into `failed` records (one
   * thread does). Default true; off where the process does it already (the app's task service).
   */
  advisories?: boolean;
  /** Worker names are `<namePrefix>-<n>`. */
  namePrefix?: string;
  statsIntervalMs?: number;
  /**
   * Young generation of each thread's heap, in MB (V8's default when unset). The app and serve
   * cap it: their threads share the process's RSS with the UI core, and a thread's live set is
   * ~10 MB while V8's default young generation alone commits ~32 MB per thread under a flow.
   */
  youngGenerationMb?: number;
  /**
   * Old generation cap of each thread's heap, in MB (V8's default when unset). V8 lets an old
   * space grow to several times its live set before a full collection; the app and serve cap
   * it so two threads do not hold ~40 MB more RSS under a flow. A thread whose handler needs
   * more than this ends with ERR_WORKER_OUT_OF_MEMORY (its tasks are redelivered).
   */
  oldGenerationMb?: number;
}

export interface PoolEvents {
  /** Batched status (every statsIntervalMs while running, and on state changes). */
  onStatus?(status: PoolStatus): void;
  onLog?(worker: string, level: 'info' | 'warn' | 'error', message: string): void;
}

/**
 * Where the thread entry lives, in one place. From sources (tsx, vitest, bench) this file is
 * worker/pool.ts and the entry is worker/thread-entry.ts next to it: a worker's `execArgv:
 * ['--import', 'tsx']` is ignored by Node 20 for loader hooks, so a tiny eval'd bootstrap
 * registers tsx inside the thread and then imports the .ts entry. In the electron-vite bundle
 * this code sits in the main bundle and the build emits the entry as a sibling
 * `worker-thread.js` (plain JS, loaded directly).
 */
export function resolveThreadEntry(): { script: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (/\.[mc]?ts$/.test(new URL(here).pathname)) {
    const entry = new URL('./thread-entry.ts', here).href;
    const tsxApi = tsxEsmApiUrl(here);
    const boot = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
    return { script: boot, eval: true };
  }
  return { script: new URL('./worker-thread.js', here), eval: false };
}

/** tsx's ESM register API (its CJS twin cannot register ESM hooks), found from tsx's own exports map. */
function tsxEsmApiUrl(from: string): string {
  const pkgJson = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(pkgJson), pkg.exports['./esm/api'].import.default)).href;
}

/** A request without its seq (Omit does not distribute over a union). */
type MainToThreadBody = MainToThread extends infer M
  ? M extends MainToThread
    ? Omit<M, 'seq'>
    : never
  : never;

class ThreadHandle {
  worker?: Worker;
  state: WorkerState = 'starting';
  stats: WorkerStatsSnapshot = EMPTY_STATS;
  /** The live thread's cumulative latency buckets (sent with its stats). */
  latency?: LatencySnapshot;
  /** The live thread's cumulative per-type counts (sent with its stats). */
  types?: TypeSnapshot;
  restarts = 0;
  consecutiveCrashes = 0;
  lastError?: string;
  /** False once we asked it to stop: an exit is then expected, not a crash. */
  wanted = true;
  startedAt = 0;
  restartTimer?: NodeJS.Timeout;
  /** Counters of earlier incarnations, so a restart does not zero the card. */
  readonly carried = new CarriedCounts();
  readonly carriedLatency = new LatencyHistogram();
  readonly carriedTypes = new TypeStats();
  /** Stopped for good and folded into the pool's retired totals. */
  retired = false;
  private seq = 0;
  private readonly pending = new Map<
    number,
    { resolve(v: { warnings?: string[] }): void; reject(e: Error): void }
  >();

  constructor(
    readonly index: number,
    readonly name: string,
  ) {}

  request(m: MainToThreadBody): Promise<{ warnings?: string[] }> {
    const w = this.worker;
    if (!w) return Promise.reject(new ApiError('internal', `${this.name} has no thread`));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      w.postMessage({ ...m, seq } as MainToThread);
    });
  }

  settle(m: Extract<ThreadToMain, { kind: 'reply' }>): void {
    const p = this.pending.get(m.seq);
    if (!p) return;
    this.pending.delete(m.seq);
    if (m.ok) p.resolve({ warnings: m.warnings });
    else p.reject(ApiError.fromEnvelope(m.error));
  }

  failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  card(): WorkerCard {
    return {
      ...this.carried.onto(this.stats),
      id: this.name,
      thread: this.index,
      state: this.state,
      restarts: this.restarts,
      lastError: this.lastError,
    };
  }
}

export class WorkerPool {
  private config: PoolConfig;
  private readonly handles: ThreadHandle[] = [];
  private state: PoolState = 'stopped';
  private warnings: string[] = [];
  private error?: string;
  private stopReason?: string;
  private statusTimer?: NodeJS.Timeout;
  private nextIndex = 1;
  /** Stopped threads' totals, so the pool's counters never go backwards (scale down, configure). */
  private readonly retired = {
    processed: 0,
    failed: 0,
    retried: 0,
    latency: new LatencyHistogram(),
    types: new TypeStats(),
  };
  /** Threads draining out of the pool (scale down): still counted until they are retired. */
  private readonly leaving = new Set<ThreadHandle>();

  constructor(
    config: PoolConfig,
    private readonly events: PoolEvents = {},
  ) {
    this.config = { ...config };
  }

  get running(): boolean {
    return this.state === 'running' || this.state === 'starting';
  }

  status(): PoolStatus {
    const workers = this.handles.map((h) => h.card());
    const sum = (f: (c: WorkerCard) => number) => workers.reduce((n, c) => n + f(c), 0);
    return {
      state: this.state,
      threads: this.handles.length,
      concurrency: this.config.concurrency,
      types: this.config.types,
      handlers: this.config.handlers,
      workers,
      totals: {
        processed: sum((c) => c.processed),
        failed: sum((c) => c.failed),
        retried: sum((c) => c.retried),
        inFlight: sum((c) => c.inFlight),
        throughput: Math.round(sum((c) => c.throughput) * 100) / 100,
      },
      warnings: this.warnings,
      error: this.error,
      ...(this.state === 'stopped' && this.stopReason ? { stopReason: this.stopReason } : {}),
      servers: this.config.connect.servers,
    };
  }

  /**
   * Cumulative numbers for the monitor and /metrics: every thread's counters (restarted and
   * scaled-down ones included) and their latency buckets merged.
   */
  metricsSnapshot(): PoolMetricsSnapshot {
    const latency = new LatencyHistogram();
    latency.merge(this.retired.latency.snapshot());
    const types = new TypeStats();
    types.merge(this.retired.types.snapshot());
    const counted = [...new Set([...this.handles, ...this.leaving])].filter((h) => !h.retired);
    const workers = counted.map((h) => {
      latency.merge(h.carriedLatency.snapshot());
      if (h.latency) latency.merge(h.latency);
      types.merge(h.carriedTypes.snapshot());
      types.merge(h.types);
      const c = h.card();
      return { id: c.id, processed: c.processed, failed: c.failed, retried: c.retried, inFlight: c.inFlight };
    });
    const sum = (f: (w: (typeof workers)[number]) => number) => workers.reduce((n, w) => n + f(w), 0);
    return {
      processed: this.retired.processed + sum((w) => w.processed),
      failed: this.retired.failed + sum((w) => w.failed),
      retried: this.retired.retried + sum((w) => w.retried),
      inFlight: sum((w) => w.inFlight),
      latency: latency.snapshot(),
      types: types.snapshot(),
      workers: workers.map(({ id, processed, failed, inFlight }) => ({ id, processed, failed, inFlight })),
    };
  }

  /** Starts every thread; rejects (and stops the rest) when the first start fails, e.g. a bad handlers module. */
  async start(): Promise<PoolStatus> {
    if (this.running) throw new ApiError('conflict', 'the pool is already running');
    this.state = 'starting';
    this.error = undefined;
    this.stopReason = undefined;
    this.warnings = [];
    this.emit();
    try {
      await Promise.all(Array.from({ length: this.config.threads }, () => this.addThread()));
    } catch (err) {
      this.error = (err as Error).message;
      this.stopReason = `could not start: ${this.error}`;
      await this.stopThreads(this.handles.splice(0), false);
      this.state = 'stopped';
      this.emit();
      throw err;
    }
    this.state = 'running';
    const every = this.config.statsIntervalMs ?? 500;
    this.statusTimer = setInterval(() => this.emit(), every);
    this.statusTimer.unref?.();
    this.emit();
    return this.status();
  }

  /** Graceful: every thread finishes its in-flight tasks first. `reason` is shown while stopped. */
  async stop(graceful = true, reason = 'stopped by the user'): Promise<PoolStatus> {
    if (this.state === 'stopped') return this.status();
    this.stopReason = reason;
    this.state = 'stopping';
    this.emit();
    const stopping = [...this.handles];
    await this.retireAfter(stopping, this.stopThreads(stopping, graceful));
    this.handles.splice(0);
    clearInterval(this.statusTimer);
    this.state = 'stopped';
    this.emit();
    return this.status();
  }

  /** Adds threads, or drains and removes the newest ones. */
  async scale(threads: number): Promise<PoolStatus> {
    if (!this.running) throw new ApiError('conflict', 'the pool is not running');
    this.config.threads = threads;
    const live = this.handles;
    if (threads > live.length) {
      await Promise.all(Array.from({ length: threads - live.length }, () => this.addThread()));
    } else if (threads < live.length) {
      const removed = live.splice(threads);
      this.emit();
      await this.retireAfter(removed, this.stopThreads(removed, true));
    }
    this.emit();
    return this.status();
  }

  /** New concurrency / handlers / types: drain every thread, then start them with the new settings. */
  async configure(
    change: Partial<Pick<PoolConfig, 'concurrency' | 'handlers' | 'types'>>,
  ): Promise<PoolStatus> {
    const next = { ...this.config, ...change };
    if (!this.running) {
      this.config = next;
      return this.status();
    }
    const threads = this.handles.length;
    await this.stop(true, 'restarting with new settings');
    this.config = { ...next, threads };
    return this.start();
  }

  private async addThread(): Promise<void> {
    const index = this.nextIndex++;
    const h = new ThreadHandle(index, `${this.config.namePrefix ?? 'jetdeck-pool'}-${index}`);
    this.handles.push(h);
    this.emit();
    await this.spawn(h);
  }

  private async spawn(h: ThreadHandle): Promise<void> {
    const entry = resolveThreadEntry();
    const { youngGenerationMb: yg, oldGenerationMb: og } = this.config;
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      name: h.name,
      resourceLimits: {
        ...(yg ? { maxYoungGenerationSizeMb: yg } : {}),
        ...(og ? { maxOldGenerationSizeMb: og } : {}),
      },
    });
    h.worker = worker;
    h.wanted = true;
    h.startedAt = Date.now();
    h.stats = EMPTY_STATS;
    h.latency = undefined;
    h.types = undefined;
    h.state = 'starting';
    worker.on('message', (m: ThreadToMain) => this.onMessage(h, m));
    worker.on('error', (err) => {
      h.lastError = err.stack ?? err.message;
    });
    worker.on('exit', (code) => this.onExit(h, worker, code));
    const config: ThreadConfig = {
      name: h.name,
      connect: this.config.connect,
      concurrency: this.config.concurrency,
      types: this.config.types,
      handlers: this.config.handlers,
      backoffMs: this.config.backoffMs,
      taskTimeoutMs: this.config.taskTimeoutMs,
      statsIntervalMs: this.config.statsIntervalMs ?? 500,
      // One failure-record writer per pool is enough: the oldest thread (scaling removes the newest).
      advisories: (this.config.advisories ?? true) && this.handles[0] === h,
    };
    const r = await h.request({ kind: 'start', config });
    for (const w of r.warnings ?? []) if (!this.warnings.includes(w)) this.warnings.push(w);
  }

  private onMessage(h: ThreadHandle, m: ThreadToMain): void {
    switch (m.kind) {
      case 'reply':
        h.settle(m);
        break;
      case 'state':
        if (h.wanted || m.state !== 'running') h.state = m.state;
        this.emit();
        break;
      case 'stats':
        h.stats = m.stats;
        if (m.latency) h.latency = m.latency;
        if (m.types) h.types = m.types;
        if (m.stats.uptimeMs > 10_000) h.consecutiveCrashes = 0;
        break;
      case 'log':
        this.events.onLog?.(h.name, m.level, m.message);
        break;
      case 'crashed': {
        const stack = (m.error.detail as { stack?: unknown } | undefined)?.stack;
        h.lastError = typeof stack === 'string' ? stack : `${m.error.name}: ${m.error.message}`;
        break;
      }
    }
  }

  private onExit(h: ThreadHandle, worker: Worker, code: number): void {
    if (h.worker !== worker) return;
    h.worker = undefined;
    h.failAll(new ApiError('internal', h.lastError ?? `${h.name} exited with code ${code}`));
    h.carried.carry(h.stats);
    if (h.latency) h.carriedLatency.merge(h.latency);
    h.carriedTypes.merge(h.types);
    h.stats = EMPTY_STATS;
    h.latency = undefined;
    h.types = undefined;
    if (!h.wanted || code === 0) {
      h.state = 'stopped';
      this.emit();
      return;
    }
    // Crashed: its unacked tasks come back through JetStream; restart with backoff.
    h.state = 'crashed';
    h.restarts++;
    const delay = Math.min(10_000, 250 * 2 ** Math.min(h.consecutiveCrashes, 6));
    h.consecutiveCrashes++;
    this.events.onLog?.(
      h.name,
      'error',
      `thread crashed (exit ${code}): ${h.lastError ?? 'unknown error'}; restarting in ${delay} ms`,
    );
    this.emit();
    h.restartTimer = setTimeout(() => {
      if (!this.handles.includes(h) || !this.running) return;
      h.state = 'restarting';
      this.emit();
      this.spawn(h).catch((err: unknown) => {
        h.lastError = (err as Error).message;
        this.emit();
      });
    }, delay);
  }

  /** Counts `handles` as leaving while `stopping` runs, then folds their totals into `retired`. */
  private async retireAfter(handles: ThreadHandle[], stopping: Promise<void>): Promise<void> {
    for (const h of handles) this.leaving.add(h);
    try {
      await stopping;
    } finally {
      for (const h of handles) {
        this.leaving.delete(h);
        h.retired = true;
        const c = h.card();
        this.retired.processed += c.processed;
        this.retired.failed += c.failed;
        this.retired.retried += c.retried;
        this.retired.latency.merge(h.carriedLatency.snapshot());
        if (h.latency) this.retired.latency.merge(h.latency);
        this.retired.types.merge(h.carriedTypes.snapshot());
        this.retired.types.merge(h.types);
      }
    }
  }

  private async stopThreads(handles: ThreadHandle[], graceful: boolean): Promise<void> {
    await Promise.all(
      handles.map(async (h) => {
        h.wanted = false;
        clearTimeout(h.restartTimer);
        const w = h.worker;
        if (!w) {
          h.state = 'stopped';
          return;
        }
        h.state = 'draining';
        this.emit();
        const exited = new Promise<void>((r) => w.once('exit', () => r()));
        try {
          // Bound the wait: a handler that ignores its abort signal must not hang the app.
          await Promise.race([
            h.request({ kind: graceful ? 'drain' : 'stop' }),
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error('timeout')), graceful ? 60_000 : 5_000),
            ),
          ]);
        } catch {
          /* terminated below */
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
        await w.terminate();
        h.state = 'stopped';
      }),
    );
  }

  private emit(): void {
    this.events.onStatus?.(this.status());
  }
}
