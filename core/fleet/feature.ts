import type { NatsConnection } from '@nats-io/transport-node';
import {
  workerControlSubject,
  type FleetList,
  type FleetMemberStatus,
  type FleetWorker,
  type fleetMethods,
} from '../../api/features/fleet';
import { ApiError, type ErrorCode } from '../../api/errors';
import { serviceErrorOf } from '../../worker/service/micro';
import type { Core } from '../core';
import { toApiError } from '../errors';
import type { HandlersFor } from '../router';
import { unservedLanes } from '../tasks/queue-status';
import type { WorkersService } from '../workers/feature';
import { FleetTracker, sweepStats } from './discovery';
import { coverageOf, type LaneCoverage } from './coverage';
import type { TypeStatsReport, typeStatsMethods } from '../../api/features/type-stats';
import { readPoolMetrics } from '../monitor/pool-metrics';
import { TypeRates, type TypeSource } from '../workers/type-rates';

/** A sweep is reused for this long, so the Tasks and Workers screens polling together cost one. */
const SWEEP_TTL_MS = 1000;

/** The fleet as seen through the app's active connection. */
export class FleetService {
  private readonly tracker = new FleetTracker();
  private last?: { at: number; workers: FleetWorker[]; nc: NatsConnection };
  private inflight?: Promise<FleetWorker[]>;
  private readonly rates = new TypeRates();

  constructor(
    private readonly core: Core,
    private readonly local: WorkersService,
  ) {}

  async workers(): Promise<FleetWorker[]> {
    const { nc } = this.core.connections.require();
    if (this.last && this.last.nc !== nc) {
      this.tracker.clear(); // another connection, maybe another cluster: another fleet
      this.last = undefined;
    }
    if (this.last && Date.now() - this.last.at < SWEEP_TTL_MS) return this.last.workers;
    this.inflight ??= sweepStats(nc)
      .then((replies) => {
        const local = this.local.status().serviceId;
        const workers = this.tracker.update(replies, new Set(local ? [local] : []));
        this.last = { at: Date.now(), workers, nc };
        return workers;
      })
      .finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** Who serves which lane, for queue status; undefined when unknown (the sweep failed). */
  async coverage(): Promise<LaneCoverage | undefined> {
    try {
      return coverageOf(await this.workers());
    } catch {
      return undefined;
    }
  }

  /**
   * Per task type over every worker: this process's pool read in memory (it may run on another
   * connection than the active one), every other worker from the per-type counters in its STATS
   * data. Without a connection, or when the sweep fails, the pool alone.
   */
  async typeStats(): Promise<TypeStatsReport> {
    const pool = readPoolMetrics();
    const localId = this.local.status().serviceId;
    const sources: TypeSource[] = pool?.types
      ? [{ id: `local:${localId ?? 'pool'}`, types: pool.types }]
      : [];
    let workers: FleetWorker[] = [];
    try {
      if (this.core.connections.connection) workers = await this.workers();
    } catch {
      /* the fleet is unknown just now: the pool's own figures still stand */
    }
    for (const w of workers)
      if (w.answering && w.status?.types && !(w.local || w.id === localId))
        sources.push({ id: w.id, types: w.status.types });
    return this.rates.report(sources, !!pool);
  }

  async list(): Promise<FleetList> {
    const workers = await this.workers();
    const conn = this.core.connections.require();
    let unserved: FleetList['unserved'] = [];
    try {
      unserved = await unservedLanes(await conn.jsm(), coverageOf(workers));
    } catch {
      /* no TASKS stream or JetStream off: nothing waits */
    }
    return { workers, at: new Date().toISOString(), unserved };
  }

  async control(
    input: { id: string } & (
      { action: 'drain' | 'pause' | 'resume' } | { action: 'concurrency'; concurrency: number }
    ),
  ): Promise<FleetMemberStatus> {
    const { nc } = this.core.connections.require();
    const body = input.action === 'concurrency' ? JSON.stringify({ concurrency: input.concurrency }) : '';
    let reply;
    try {
      reply = await nc.request(workerControlSubject(input.id, input.action), body, { timeout: 5000 });
    } catch (err) {
      const e = toApiError(err);
      if (e.name === 'NoRespondersError')
        throw new ApiError(
          'not_found',
          `worker ${input.id} is not answering (stopped, or on another cluster)`,
        );
      throw e;
    }
    const se = serviceErrorOf(reply);
    if (se) throw new ApiError(codeFor(se.code), se.message, { serviceErrorCode: se.code });
    this.last = undefined; // the next list shows the change
    return reply.json<FleetMemberStatus>();
  }
}

function codeFor(status: number): ErrorCode {
  if (status === 400) return 'invalid_input';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  return 'nats_error';
}

export function registerFleet(core: Core, svc: FleetService): void {
  const handlers: HandlersFor<typeof fleetMethods> = {
    'fleet.list': () => svc.list(),
    'fleet.control': (input) => svc.control(input),
  };
  core.router.register(handlers);
  const typeStats: HandlersFor<typeof typeStatsMethods> = {
    'workers.typeStats': () => svc.typeStats(),
  };
  core.router.register(typeStats);
}
