import type { PoolStatus, workersMethods } from '../../api/features/workers';
import { ApiError } from '../../api/errors';
import { BUILTIN_TYPES } from '../../worker/handlers/builtin';
import { loadHandlerModule } from '../../worker/handlers/load';
import type { ThreadConnectInfo } from '../../worker/protocol';
import type { Core } from '../core';
import { setPoolMetricsSource } from '../monitor/pool-metrics';
import type { HandlersFor } from '../router';
import { WorkerPool, type PoolConfig } from '../../worker/pool';

type Settings = Pick<PoolConfig, 'threads' | 'concurrency' | 'handlers' | 'types'>;

/** The in-process worker pool behind the Workers screen (and `jetdeck serve --workers`). */
export class WorkersService {
  private pool?: WorkerPool;
  private settings: Settings = { threads: 1, concurrency: 16 };
  /** Removes the running pool from the monitor's and /metrics' pool source. */
  private unregisterMetrics?: () => void;

  constructor(private readonly core: Core) {}

  status(): PoolStatus {
    return this.pool?.status() ?? this.idle();
  }

  async start(s: Settings): Promise<PoolStatus> {
    if (this.pool?.running)
      throw new ApiError('conflict', 'the worker pool is already running; stop it or use scale/configure');
    this.settings = { ...s };
    const pool = new WorkerPool(
      { ...s, connect: this.connectInfo(), namePrefix: 'jetdeck-pool' },
      {
        onStatus: (st) => this.core.bus.emit('workers.stats', st),
        onLog: (w, level, m) => level !== 'info' && console.error(`[jetdeck] ${w}: ${m}`),
      },
    );
    this.pool = pool;
    try {
      const status = await pool.start();
      this.unregisterMetrics?.();
      this.unregisterMetrics = setPoolMetricsSource(() => pool.metricsSnapshot());
      return status;
    } catch (err) {
      const message = (err as Error).message;
      throw new ApiError(
        /handlers module|no handlers/i.test(message) ? 'invalid_input' : 'nats_error',
        message,
      );
    }
  }

  async stop(graceful: boolean): Promise<PoolStatus> {
    if (!this.pool) return this.idle();
    const status = await this.pool.stop(graceful);
    this.unregisterMetrics?.();
    this.unregisterMetrics = undefined;
    return status;
  }

  async scale(threads: number): Promise<PoolStatus> {
    const pool = this.requireRunning();
    this.settings.threads = threads;
    return pool.scale(threads);
  }

  async configure(change: {
    concurrency?: number;
    handlers?: string | null;
    types?: string[] | null;
  }): Promise<PoolStatus> {
    const next: Partial<Settings> = {};
    if (change.concurrency !== undefined) next.concurrency = change.concurrency;
    if (change.handlers !== undefined) next.handlers = change.handlers ?? undefined;
    if (change.types !== undefined) next.types = change.types ?? undefined;
    this.settings = { ...this.settings, ...next };
    if (!this.pool?.running) return this.idle();
    try {
      return await this.pool.configure(next);
    } catch (err) {
      throw new ApiError('invalid_input', (err as Error).message);
    }
  }

  /** Built-in types plus those of a handlers module (loaded here only to read its keys). */
  async handlerTypes(path?: string): Promise<{ types: string[]; builtin: string[]; error?: string }> {
    const file = path ?? this.settings.handlers;
    if (!file) return { types: [...BUILTIN_TYPES], builtin: [...BUILTIN_TYPES] };
    try {
      const custom = Object.keys(await loadHandlerModule(file));
      return { types: [...new Set([...BUILTIN_TYPES, ...custom])].sort(), builtin: [...BUILTIN_TYPES] };
    } catch (err) {
      return { types: [...BUILTIN_TYPES], builtin: [...BUILTIN_TYPES], error: (err as Error).message };
    }
  }

  private requireRunning(): WorkerPool {
    if (!this.pool?.running) throw new ApiError('conflict', 'the worker pool is not running; start it first');
    return this.pool;
  }

  /** The threads open their own connections to the active profile; secrets go by postMessage, never logged. */
  private connectInfo(): ThreadConnectInfo {
    const { profile } = this.core.connections.require();
    return { servers: profile.servers, auth: profile.auth, tls: profile.tls };
  }

  private idle(): PoolStatus {
    const s = this.settings;
    return {
      state: 'stopped',
      threads: 0,
      concurrency: s.concurrency,
      types: s.types,
      handlers: s.handlers,
      workers: [],
      totals: { processed: 0, failed: 0, retried: 0, inFlight: 0, throughput: 0 },
      warnings: [],
    };
  }
}

const services = new WeakMap<Core, WorkersService>();

/** The core's workers service (created by registerWorkers). */
export function workersService(core: Core): WorkersService {
  const s = services.get(core);
  if (!s) throw new Error('registerWorkers(core) has not run');
  return s;
}

/** Registers the workers feature's handlers and hooks. */
export function registerWorkers(core: Core): void {
  const svc = new WorkersService(core);
  services.set(core, svc);
  const handlers: HandlersFor<typeof workersMethods> = {
    'workers.status': () => svc.status(),
    'workers.start': (input) => svc.start(input),
    'workers.stop': (input) => svc.stop(input?.graceful ?? true),
    'workers.scale': ({ threads }) => svc.scale(threads),
    'workers.configure': (input) => svc.configure(input),
    'workers.handlerTypes': (input) => svc.handlerTypes(input?.handlers),
  };
  core.router.register(handlers);
  // The pool follows the app's connection: a new profile means new threads.
  core.connections.onDisconnected(async () => {
    await svc.stop(true);
  });
  core.onDispose(async () => {
    await svc.stop(true);
  });
}
