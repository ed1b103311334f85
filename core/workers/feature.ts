import type { PoolStatus, workersMethods } from '../../api/features/workers';
import { ApiError } from '../../api/errors';
import { internalError } from '../errors';
import { BUILTIN_TYPES } from '../../worker/handlers/builtin';
import { loadHandlerModule } from '../../worker/handlers/load';
import type { ThreadConnectInfo } from '../../worker/protocol';
import type { Core } from '../core';
import type { HostFiles } from '../files/host-files';
import { setPoolMetricsSource } from '../monitor/pool-metrics';
import type { HandlersFor } from '../router';
import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import { lanesFor } from '../../nats/topology';
import type { MicroService } from '../../worker/service/micro';
import { PoolMember } from '../../worker/service/pool-member';
import { registerWorkerService } from '../../worker/service/worker-service';
import { connectTo } from '../../nats/connect-options';
import { wholeNumberEnv } from '../util/env-number';
import { WorkerPool, type PoolConfig } from '../../worker/pool';

/**
 * The in-process pool's threads share this process's memory: smaller young generations and a
 * capped old one (see PoolConfig; a thread's live set is ~10 MB). The cap measured 175–212 MB
 * of serve RSS under the 1M e2e flow against 269–286 MB without it. A handler that needs more
 * ends its thread (restarted, its tasks redelivered): JETDECK_POOL_HEAP_MB raises it, 0 = none,
 * and `jetdeck worker` has no cap.
 */
const POOL_YOUNG_GENERATION_MB = 8;

/** The pool threads' old generation cap in MB (JETDECK_POOL_HEAP_MB; unset or bad: 64), read when a pool starts. */
export function poolHeapMb(value = process.env.JETDECK_POOL_HEAP_MB, warn?: (m: string) => void): number {
  return wholeNumberEnv('JETDECK_POOL_HEAP_MB', value, 64, warn);
}

type Settings = Pick<PoolConfig, 'threads' | 'concurrency' | 'handlers' | 'types'>;

/**
 * The pool's NATS service: its own connection (from the connect info the pool was started
 * with), so the pool and its service follow that connection, not the app's active profile.
 */
interface PoolService {
  nc: NatsConnection;
  service: MicroService;
  member: PoolMember;
}

/** The in-process worker pool behind the Workers screen (and `jetdeck serve --workers`). */
export class WorkersService {
  private pool?: WorkerPool;
  private settings: Settings = { threads: 1, concurrency: 16 };
  /** Removes the running pool from the monitor's and /metrics' pool source. */
  private unregisterMetrics?: () => void;
  private svc?: PoolService;
  /** Profile the running pool was started from (it keeps using it after a switch). */
  private profileName?: string;
  /** `serve --allow-remote-control`: the pool's service endpoints accept drain/pause/concurrency. */
  allowRemoteControl = false;

  constructor(
    private readonly core: Core,
    private readonly files: HostFiles,
  ) {}

  status(): PoolStatus {
    const st = this.pool ? this.named(this.pool.status()) : this.idle();
    if (!this.pool) return st;
    return {
      ...st,
      ...(this.profileName ? { profile: this.profileName } : {}),
      ...(this.svc && !this.svc.service.isStopped ? { serviceId: this.svc.service.id } : {}),
    };
  }

  /** The pool knows the module's path; callers know (and pass back) its name. */
  private named(st: PoolStatus): PoolStatus {
    return { ...st, handlers: this.settings.handlers };
  }

  /** Where a handlers module name points on this machine (undefined: built-ins only). */
  private async modulePath(name: string | undefined): Promise<string | undefined> {
    return name === undefined ? undefined : this.files.resolveRead('handlers', name);
  }

  async start(s: Settings): Promise<PoolStatus> {
    if (this.pool?.running)
      throw new ApiError('conflict', 'the worker pool is already running; stop it or use scale/configure');
    const handlers = await this.modulePath(s.handlers);
    this.settings = { ...s };
    const connectInfo = this.connectInfo();
    this.profileName = this.core.connections.require().profile.name;
    await this.stopService();
    const pool = new WorkerPool(
      // The task service writes failure records from advisories for this process already.
      {
        ...s,
        handlers,
        connect: connectInfo,
        namePrefix: 'jetdeck-pool',
        advisories: false,
        youngGenerationMb: POOL_YOUNG_GENERATION_MB,
        oldGenerationMb: poolHeapMb(),
      },
      {
        onStatus: () => this.core.bus.emit('workers.stats', this.status()),
        onLog: (w, level, m) => level !== 'info' && console.error(`[jetdeck] ${w}: ${m}`),
      },
    );
    this.pool = pool;
    try {
      await pool.start();
      this.unregisterMetrics?.();
      this.unregisterMetrics = setPoolMetricsSource(() => pool.metricsSnapshot());
      await this.startService(pool, connectInfo).catch((err: unknown) => {
        console.error(`[jetdeck] the pool runs but is not discoverable: ${(err as Error).message}`);
      });
      return this.status();
    } catch (err) {
      throw poolError(err);
    }
  }

  async stop(graceful: boolean, reason?: string): Promise<PoolStatus> {
    if (!this.pool) return this.idle();
    this.svc?.member.localChange();
    await this.pool.stop(graceful, reason);
    await this.stopService();
    this.unregisterMetrics?.();
    this.unregisterMetrics = undefined;
    return this.status();
  }

  private async startService(pool: WorkerPool, info: ThreadConnectInfo): Promise<void> {
    const nc = await connectTo(info, { name: 'jetdeck-pool-service' });
    const types = this.settings.types;
    const member = new PoolMember(
      pool,
      () => ({
        worker: 'jetdeck-pool',
        kind: 'pool',
        host: hostname(),
        pid: process.pid,
        version: this.core.version,
        lanes: lanesFor(types).map((l) => l.subject),
        ...(types?.length ? { types } : {}),
        server: nc.getServer(),
      }),
      // Drained remotely: the threads are gone; the service goes too (the pool says why).
      () => void this.stopService().then(() => this.core.bus.emit('workers.stats', this.status())),
    );
    try {
      const service = await registerWorkerService(nc, member, {
        allowRemoteControl: this.allowRemoteControl,
        version: this.core.version,
        onError: (action, err) =>
          console.error(`[jetdeck] remote ${action} of the pool failed: ${err.message}`),
      });
      this.svc = { nc, service, member };
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  private async stopService(): Promise<void> {
    const s = this.svc;
    this.svc = undefined;
    if (!s) return;
    await s.service.stop();
    await s.nc.close().catch(() => undefined);
  }

  async scale(threads: number): Promise<PoolStatus> {
    const pool = this.requireRunning();
    this.settings.threads = threads;
    return this.named(await pool.scale(threads));
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
    // Resolved before anything changes: an unknown module name leaves the pool as it was.
    const handlersPath = change.handlers !== undefined ? await this.modulePath(next.handlers) : undefined;
    this.settings = { ...this.settings, ...next };
    if (!this.pool?.running) return this.idle();
    const poolChange = { ...next };
    if (change.handlers !== undefined) poolChange.handlers = handlersPath;
    try {
      return this.named(await this.pool.configure(poolChange));
    } catch (err) {
      throw poolError(err);
    }
  }

  /** Built-in types plus those of a handlers module (loaded here only to read its keys). */
  async handlerTypes(name?: string): Promise<{ types: string[]; builtin: string[]; error?: string }> {
    const module = name ?? this.settings.handlers;
    if (!module) return { types: [...BUILTIN_TYPES], builtin: [...BUILTIN_TYPES] };
    try {
      const custom = Object.keys(await loadHandlerModule((await this.modulePath(module))!));
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
  /** Everything the profile connects with: a domain or an inbox prefix the threads lacked would fail them. */
  private connectInfo(): ThreadConnectInfo {
    const { servers, auth, tls, jsDomain, inboxPrefix, timeoutMs } = this.core.connections.require().profile;
    return { servers, auth, tls, jsDomain, inboxPrefix, timeoutMs };
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

/**
 * Thread errors arrive as ApiErrors with their code (the thread protocol carries the envelope,
 * a bad handlers module is typed where it is loaded); an unexpected one is logged with an id.
 */
function poolError(err: unknown): ApiError {
  return err instanceof ApiError && err.code !== 'internal' ? err : internalError(err);
}

/** Registers the workers feature's handlers and hooks. */
export function registerWorkers(core: Core, svc: WorkersService): void {
  const handlers: HandlersFor<typeof workersMethods> = {
    'workers.status': () => svc.status(),
    'workers.start': (input) => svc.start(input),
    'workers.stop': (input) => svc.stop(input?.graceful ?? true),
    'workers.scale': ({ threads }) => svc.scale(threads),
    'workers.configure': (input) => svc.configure(input),
    'workers.handlerTypes': (input) => svc.handlerTypes(input?.handlers),
  };
  core.router.register(handlers);
  // The pool follows its own connections (made from the profile it was started with), so a
  // profile switch or Disconnect/Connect leaves it running; only quitting stops it.
  core.onDispose(async () => {
    await svc.stop(true, 'JetDeck quit');
  });
}
