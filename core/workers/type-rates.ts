import type { TypeStatsReport, TypeStatsRow } from '../../api/features/type-stats';
import {
  LatencyHistogram,
  latencyDelta,
  latencyPercentile,
  type LatencySnapshot,
} from '../../nats/latency-histogram';
import { OTHER_TYPE, type TypeSnapshot } from '../../nats/metrics/type-stats';

/** Rates cover this much of the past. */
const WINDOW_MS = 60_000;
/** Samples of one worker closer than this are not kept (several screens may poll at once). */
const MIN_GAP_MS = 1_000;
/** Workers whose counters are kept (the busiest first); the rest are left out and counted. */
export const MAX_SOURCES = 64;
/** Rows in a report: the fleet may run more types than one worker names; the rest are summed as `other`. */
export const MAX_ROWS = 40;

interface Sample {
  t: number;
  types: TypeSnapshot;
}

/** One worker's cumulative counters as read now (the in-process pool, or a worker's STATS data). */
export interface TypeSource {
  id: string;
  types: TypeSnapshot;
}

interface Acc {
  processed: number;
  failed: number;
  retried: number;
  throughput: number;
  done: number;
  doneFailed: number;
  recent: LatencyHistogram;
  total: LatencyHistogram;
  workers: number;
}

/**
 * Turns every worker's cumulative per-type counters into fleet rates over the last minute. Each
 * worker keeps its own ring (≤ WINDOW_MS / MIN_GAP_MS + 1 samples of ≤ 21 types), so a worker
 * that joins late or restarts (a new service id, or counters that went backwards) never skews the
 * others; its rate covers the time it was seen. Sampled when asked (the screens poll), so nothing
 * runs while nobody looks; a worker not seen for a window is forgotten.
 */
export class TypeRates {
  private readonly rings = new Map<string, Sample[]>();

  report(sources: TypeSource[], local: boolean, now = Date.now()): TypeStatsReport {
    const at = new Date(now).toISOString();
    // The busiest workers are kept when there are too many to follow.
    const kept = [...sources].sort((a, b) => total(b.types) - total(a.types)).slice(0, MAX_SOURCES);
    const acc = new Map<string, Acc>();
    let windowMs = 0;
    for (const src of kept) {
      const ring = this.sample(src, now);
      const base = ring[0]!;
      const dt = (now - base.t) / 1000;
      windowMs = Math.max(windowMs, now - base.t);
      for (const [type, c] of Object.entries(src.types)) {
        const b = dt > 0 ? base.types[type] : undefined;
        const a = row(acc, type);
        const done = c.processed + c.failed - (b ? b.processed + b.failed : 0);
        a.processed += c.processed;
        a.failed += c.failed;
        a.retried += c.retried;
        a.workers++;
        if (dt > 0) {
          a.throughput += done / dt;
          a.done += done;
          a.doneFailed += c.failed - (b?.failed ?? 0);
        }
        a.total.merge(c.latency);
        a.recent.merge(b ? latencyDelta(c.latency, b.latency) : c.latency);
      }
    }
    this.forget(new Set(kept.map((s) => s.id)), now);
    const rows = [...acc.entries()].map(([type, a]) => toRow(type, a));
    rows.sort((a, b) => b.throughput - a.throughput || b.processed + b.failed - (a.processed + a.failed));
    return {
      types: capRows(rows),
      windowSec: Math.round(windowMs / 1000),
      pool: local,
      workers: kept.length,
      ...(sources.length > kept.length ? { workersOmitted: sources.length - kept.length } : {}),
      at,
    };
  }

  /** Adds this reading to the worker's ring (when far enough from the last) and trims it to the window. */
  private sample(src: TypeSource, now: number): Sample[] {
    let ring = this.rings.get(src.id);
    const last = ring?.[ring.length - 1];
    // Counters that went backwards: the worker restarted from zero; old samples no longer subtract.
    if (!ring || (last && total(src.types) < total(last.types))) {
      ring = [];
      this.rings.set(src.id, ring);
    }
    if (!last || ring.length === 0 || now - last.t >= MIN_GAP_MS) ring.push({ t: now, types: src.types });
    while (ring.length > 1 && now - ring[0]!.t > WINDOW_MS) ring.shift();
    return ring;
  }

  /** Rings of workers not in this reading and silent for a whole window go. */
  private forget(seen: Set<string>, now: number): void {
    for (const [id, ring] of this.rings) {
      if (seen.has(id)) continue;
      const last = ring[ring.length - 1];
      if (!last || now - last.t > WINDOW_MS) this.rings.delete(id);
    }
  }
}

function row(acc: Map<string, Acc>, type: string): Acc {
  let a = acc.get(type);
  if (!a) {
    a = {
      processed: 0,
      failed: 0,
      retried: 0,
      throughput: 0,
      done: 0,
      doneFailed: 0,
      recent: new LatencyHistogram(),
      total: new LatencyHistogram(),
      workers: 0,
    };
    acc.set(type, a);
  }
  return a;
}

function toRow(type: string, a: Acc): TypeStatsRow {
  const recent = a.recent.snapshot();
  const lat: LatencySnapshot = recent.count > 0 ? recent : a.total.snapshot();
  return {
    type,
    processed: a.processed,
    failed: a.failed,
    retried: a.retried,
    throughput: a.throughput,
    failureRate: a.done > 0 ? a.doneFailed / a.done : null,
    p50: lat.count ? latencyPercentile(lat, 50) : null,
    p95: lat.count ? latencyPercentile(lat, 95) : null,
    p99: lat.count ? latencyPercentile(lat, 99) : null,
    workers: a.workers,
  };
}

/**
 * Rows past MAX_ROWS are folded into `other` (counters and rates summed; its latency stays that
 * of the named `other` row when there is one, since the folded rows' buckets are gone by now).
 */
function capRows(rows: TypeStatsRow[]): TypeStatsRow[] {
  if (rows.length <= MAX_ROWS) return rows;
  const keep = rows.filter((r) => r.type !== OTHER_TYPE).slice(0, MAX_ROWS - 1);
  const names = new Set(keep.map((r) => r.type));
  const rest = rows.filter((r) => !names.has(r.type));
  const named = rest.find((r) => r.type === OTHER_TYPE);
  const sum = (f: (r: TypeStatsRow) => number) => rest.reduce((n, r) => n + f(r), 0);
  const finished = sum((r) => r.throughput);
  const failedRate = sum((r) => (r.failureRate ?? 0) * r.throughput);
  return [
    ...keep,
    {
      type: OTHER_TYPE,
      processed: sum((r) => r.processed),
      failed: sum((r) => r.failed),
      retried: sum((r) => r.retried),
      throughput: finished,
      failureRate: finished > 0 ? failedRate / finished : null,
      p50: named?.p50 ?? null,
      p95: named?.p95 ?? null,
      p99: named?.p99 ?? null,
      workers: Math.max(...rest.map((r) => r.workers ?? 0)),
    },
  ];
}

function total(s: TypeSnapshot): number {
  let n = 0;
  for (const k in s) n += s[k]!.processed + s[k]!.failed;
  return n;
}
