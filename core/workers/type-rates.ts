import type { TypeStatsReport, TypeStatsRow } from '../../api/features/type-stats';
import { latencyDelta, latencyPercentile } from '../../nats/latency-histogram';
import type { TypeSnapshot } from '../../nats/metrics/type-stats';

/** Rates cover this much of the past. */
const WINDOW_MS = 60_000;
/** Samples closer than this are not kept (several screens may poll at once). */
const MIN_GAP_MS = 1_000;

interface Sample {
  t: number;
  types: TypeSnapshot;
}

/**
 * Turns the pool's cumulative per-type counters into rates over the last minute. Sampled when
 * asked (the screens poll), so nothing runs while nobody looks; the ring holds at most
 * WINDOW_MS / MIN_GAP_MS + 1 samples of at most 21 types each.
 */
export class TypeRates {
  private ring: Sample[] = [];

  report(types: TypeSnapshot | undefined, now = Date.now()): TypeStatsReport {
    const at = new Date(now).toISOString();
    if (!types) {
      this.ring = [];
      return { types: [], windowSec: 0, pool: false, at };
    }
    const last = this.ring[this.ring.length - 1];
    // A pool restarted from zero: the old samples no longer subtract.
    if (last && total(types) < total(last.types)) this.ring = [];
    if (!last || now - last.t >= MIN_GAP_MS || this.ring.length === 0) this.ring.push({ t: now, types });
    while (this.ring.length > 1 && now - this.ring[0]!.t > WINDOW_MS) this.ring.shift();
    const base = this.ring[0]!;
    const dt = (now - base.t) / 1000;
    const rows: TypeStatsRow[] = Object.entries(types).map(([type, c]) => {
      const b = dt > 0 ? base.types[type] : undefined;
      const done = c.processed + c.failed - (b ? b.processed + b.failed : 0);
      const failed = c.failed - (b?.failed ?? 0);
      const recent = b ? latencyDelta(c.latency, b.latency) : c.latency;
      const lat = recent.count > 0 ? recent : c.latency;
      return {
        type,
        processed: c.processed,
        failed: c.failed,
        retried: c.retried,
        throughput: dt > 0 ? done / dt : 0,
        failureRate: dt > 0 && done > 0 ? failed / done : null,
        p50: lat.count ? latencyPercentile(lat, 50) : null,
        p95: lat.count ? latencyPercentile(lat, 95) : null,
        p99: lat.count ? latencyPercentile(lat, 99) : null,
      };
    });
    rows.sort((a, b) => b.throughput - a.throughput || b.processed + b.failed - (a.processed + a.failed));
    return { types: rows, windowSec: Math.round(dt), pool: true, at };
  }
}

function total(s: TypeSnapshot): number {
  let n = 0;
  for (const k in s) n += s[k]!.processed + s[k]!.failed;
  return n;
}
