import type { FleetMemberInfo, FleetMemberState, FleetMemberStatus } from '../../api/features/fleet';
import type { WorkerStatsSnapshot } from '../../api/features/workers';
import { TypeStats, type TypeSnapshot } from '../../nats/metrics/type-stats';
import { CarriedCounts, EMPTY_STATS } from '../stats';
import { ServiceError } from './micro';
import type { FleetMember } from './worker-service';

/** The part of WorkerRuntime a fleet member drives (its public face only). */
export interface RuntimeLike {
  start(): Promise<void>;
  drain(): Promise<void>;
  snapshot(): WorkerStatsSnapshot;
  typeSnapshot(): TypeSnapshot;
}

/**
 * One `jetdeck worker` runtime as a fleet member. A runtime's concurrency is fixed when it is
 * built, so pause and a concurrency change drain the current runtime and resume builds a new
 * one (`create`) on the same connection; counters of earlier runtimes are carried so they never
 * go backwards.
 */
export class RuntimeMember implements FleetMember {
  private runtime?: RuntimeLike;
  private state: FleetMemberState = 'starting';
  private reason?: string;
  private readonly carried = new CarriedCounts();
  private readonly carriedTypes = new TypeStats();
  /** Serialises control changes: a second request waits for the first to finish. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly facts: () => Omit<FleetMemberInfo, 'remoteControl'>,
    private concurrency: number,
    private readonly create: (concurrency: number) => RuntimeLike,
    /** After a drain asked through the service (a `jetdeck worker` exits then). */
    private readonly onDrained: () => void,
  ) {}

  /** The runtime running now (undefined while paused). */
  get current(): RuntimeLike | undefined {
    return this.runtime;
  }

  async start(): Promise<void> {
    const r = this.create(this.concurrency);
    await r.start();
    this.runtime = r;
    this.state = 'running';
  }

  info(): Omit<FleetMemberInfo, 'remoteControl'> {
    return this.facts();
  }

  /** Counters of every runtime this member ran (for summaries and /metrics too). */
  snapshot(): WorkerStatsSnapshot {
    return this.carried.onto(this.runtime?.snapshot() ?? EMPTY_STATS);
  }

  /** Per-type counters of every runtime this member ran. */
  types(): TypeSnapshot {
    const t = new TypeStats();
    t.merge(this.carriedTypes.snapshot());
    t.merge(this.runtime?.typeSnapshot());
    return t.snapshot();
  }

  status(): FleetMemberStatus {
    const s = this.snapshot();
    return {
      state: this.state,
      concurrency: this.concurrency,
      threads: 1,
      inFlight: s.inFlight,
      processed: s.processed,
      failed: s.failed,
      retried: s.retried,
      throughput: s.throughput,
      p50: s.p50,
      p95: s.p95,
      p99: s.p99,
      ...(this.reason ? { reason: this.reason } : {}),
    };
  }

  drain(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'draining') this.refuse('drain');
    this.state = 'draining';
    this.reason = 'drained through its service endpoint';
    return this.serial(async () => {
      await this.retire();
      this.state = 'stopped';
      this.onDrained();
    });
  }

  pause(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'draining') return this.refuse('pause');
    this.state = 'paused';
    this.reason = 'paused through its service endpoint';
    return this.serial(() => this.retire());
  }

  resume(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'draining') return this.refuse('resume');
    this.state = 'starting';
    this.reason = undefined;
    return this.serial(async () => {
      if (!this.runtime) await this.start();
      this.state = 'running';
    });
  }

  setConcurrency(n: number): Promise<void> {
    if (this.state === 'stopped' || this.state === 'draining')
      return this.refuse('change the concurrency of');
    this.concurrency = n;
    return this.serial(async () => {
      if (!this.runtime) return; // paused: the next resume uses it
      this.state = 'starting';
      await this.retire();
      await this.start();
    });
  }

  /** Drains the running runtime and folds its counters in. */
  private async retire(): Promise<void> {
    const r = this.runtime;
    if (!r) return;
    await r.drain();
    const s = r.snapshot();
    this.carried.carry(s);
    this.carriedTypes.merge(r.typeSnapshot());
    this.runtime = undefined;
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Thrown synchronously, so the caller gets a 409 rather than an accepted request that fails later. */
  private refuse(what: string): never {
    throw new ServiceError(409, `cannot ${what} a worker that is ${this.state}`);
  }
}
