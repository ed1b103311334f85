import type { FleetMemberInfo, FleetMemberState, FleetMemberStatus } from '../../api/features/fleet';
import type { PoolStatus } from '../../api/features/workers';
import type { TypeSnapshot } from '../../nats/metrics/type-stats';
import { ServiceError } from './micro';
import type { FleetMember } from './worker-service';

/** The part of WorkerPool a fleet member drives (its public face only). */
export interface PoolLike {
  status(): PoolStatus;
  start(): Promise<PoolStatus>;
  stop(graceful?: boolean, reason?: string): Promise<PoolStatus>;
  configure(change: { concurrency?: number }): Promise<PoolStatus>;
  /** Cumulative counters; only the per-type ones are read here. */
  metricsSnapshot(): { types?: TypeSnapshot };
}

/**
 * An in-process pool of worker threads as one fleet member: pause drains the threads and keeps
 * the service answering, resume starts them again, a concurrency change restarts them with it
 * (the pool's own configure), drain stops the pool for good (`onDrained` decides what follows).
 */
export class PoolMember implements FleetMember {
  private paused = false;
  private drained = false;
  private reason?: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: PoolLike,
    private readonly facts: () => Omit<FleetMemberInfo, 'remoteControl'>,
    private readonly onDrained: () => void = () => undefined,
  ) {}

  info(): Omit<FleetMemberInfo, 'remoteControl'> {
    return this.facts();
  }

  types(): TypeSnapshot {
    return this.pool.metricsSnapshot().types ?? {};
  }

  status(): FleetMemberStatus {
    const p = this.pool.status();
    const max = (f: (w: PoolStatus['workers'][number]) => number) => Math.max(0, ...p.workers.map(f));
    const state: FleetMemberState = this.drained
      ? p.state === 'stopped'
        ? 'stopped'
        : 'draining'
      : this.paused && p.state === 'stopped'
        ? 'paused'
        : p.state === 'stopping'
          ? 'draining'
          : p.state;
    const reason = this.reason ?? p.stopReason;
    return {
      state,
      concurrency: p.concurrency,
      threads: p.threads,
      inFlight: p.totals.inFlight,
      processed: p.totals.processed,
      failed: p.totals.failed,
      retried: p.totals.retried,
      throughput: p.totals.throughput,
      // Per-thread percentiles cannot be merged exactly; the worst thread is the honest figure.
      p50: max((w) => w.p50),
      p95: max((w) => w.p95),
      p99: max((w) => w.p99),
      ...(reason && state !== 'running' ? { reason } : {}),
    };
  }

  drain(): Promise<void> {
    this.guard('drain');
    this.drained = true;
    this.reason = 'drained through its service endpoint';
    return this.serial(async () => {
      await this.pool.stop(true, this.reason);
      this.onDrained();
    });
  }

  pause(): Promise<void> {
    this.guard('pause');
    this.paused = true;
    this.reason = 'paused through its service endpoint';
    return this.serial(() => this.pool.stop(true, this.reason));
  }

  resume(): Promise<void> {
    this.guard('resume');
    this.paused = false;
    this.reason = undefined;
    return this.serial(async () => {
      if (this.pool.status().state === 'stopped') await this.pool.start();
    });
  }

  setConcurrency(n: number): Promise<void> {
    this.guard('change the concurrency of');
    return this.serial(() => this.pool.configure({ concurrency: n }));
  }

  /** A local start or stop (Workers screen) clears what a remote pause said. */
  localChange(): void {
    this.paused = false;
    this.reason = undefined;
  }

  private guard(what: string): void {
    if (this.drained) throw new ServiceError(409, `cannot ${what} a worker that was drained`);
  }

  private serial(fn: () => Promise<unknown>): Promise<void> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next.then(() => undefined);
  }
}
