import { Empty, NoRespondersError, type NatsConnection } from '@nats-io/transport-node';
import { WORKER_SERVICE_NAME, type FleetMemberStatus, type FleetWorker } from '../../api/features/fleet';
import type { StatsResponse } from '../../worker/service/micro';
import { fromMetadata } from '../../worker/service/worker-service';

/**
 * Fleet discovery: one `$SRV.STATS.jetdeck-worker` request answered by every worker (what
 * `nats micro stats jetdeck-worker` sends), collected until the answers stop coming. The tracker
 * remembers who answered before, so a worker that stops answering shows as such with its last
 * seen time instead of vanishing; it is forgotten after `forgetAfterMs` (and the list is capped).
 */
export async function sweepStats(
  nc: NatsConnection,
  opts: { maxWaitMs?: number; stallMs?: number; name?: string } = {},
): Promise<StatsResponse[]> {
  const out: StatsResponse[] = [];
  try {
    const replies = await nc.requestMany(`$SRV.STATS.${opts.name ?? WORKER_SERVICE_NAME}`, Empty, {
      strategy: 'stall',
      stall: opts.stallMs ?? 300,
      maxWait: opts.maxWaitMs ?? 2000,
    });
    for await (const m of replies) {
      try {
        const r = m.json<StatsResponse>();
        if (r?.type === 'io.nats.micro.v1.stats_response' && typeof r.id === 'string') out.push(r);
      } catch {
        /* not JSON: not a micro service answer */
      }
    }
  } catch (err) {
    // No responders: nobody serves the name, which is an empty fleet, not an error.
    if (!(err instanceof NoRespondersError)) throw err;
  }
  return out;
}

const MAX_TRACKED = 1000;

export class FleetTracker {
  private readonly seen = new Map<string, FleetWorker>();

  constructor(private readonly forgetAfterMs = 10 * 60_000) {}

  /** Folds one sweep in; `localIds` are this process's own pool services. */
  update(replies: StatsResponse[], localIds: Set<string>, now = Date.now()): FleetWorker[] {
    const answered = new Set<string>();
    for (const r of replies) {
      const info = fromMetadata(r.metadata);
      if (!info) continue;
      answered.add(r.id);
      const status = r.endpoints.find((e) => e.name === 'status')?.data as FleetMemberStatus | undefined;
      this.seen.delete(r.id); // re-insert: the map stays in last-seen order for the cap
      this.seen.set(r.id, {
        ...info,
        id: r.id,
        status,
        started: r.started,
        lastSeen: now,
        answering: true,
        local: localIds.has(r.id),
      });
    }
    for (const [id, w] of this.seen) {
      if (answered.has(id)) continue;
      if (now - w.lastSeen > this.forgetAfterMs) this.seen.delete(id);
      else w.answering = false;
    }
    while (this.seen.size > MAX_TRACKED) this.seen.delete(this.seen.keys().next().value as string);
    return this.list();
  }

  list(): FleetWorker[] {
    return [...this.seen.values()].sort(
      (a, b) =>
        Number(b.local) - Number(a.local) ||
        Number(b.answering) - Number(a.answering) ||
        a.worker.localeCompare(b.worker),
    );
  }

  /** Forget everyone (a different cluster: its workers are another fleet). */
  clear(): void {
    this.seen.clear();
  }
}
