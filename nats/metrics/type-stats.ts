import { LatencyHistogram, type LatencySnapshot } from '../latency-histogram';

/**
 * At most this many task types get their own `type` label; later ones are counted as `other`.
 * Prometheus pays per label set, and task types come from whoever publishes tasks.
 */
export const MAX_TYPE_LABELS = 20;
export const OTHER_TYPE = 'other';

export interface TypeCounts {
  processed: number;
  failed: number;
  retried: number;
  latency: LatencySnapshot;
}
/** Cumulative counts per task type (plain data: crosses the worker-thread boundary). */
export type TypeSnapshot = Record<string, TypeCounts>;

interface Entry {
  processed: number;
  failed: number;
  retried: number;
  latency: LatencyHistogram;
}

/**
 * Per-type counters and handler latency, bounded: the first MAX_TYPE_LABELS types seen keep
 * their name for the process's life (a counter's label set must not change meaning between
 * scrapes), everything after that is `other`.
 */
export class TypeStats {
  private readonly m = new Map<string, Entry>();
  constructor(private readonly max = MAX_TYPE_LABELS) {}

  count(type: string, kind: 'processed' | 'failed' | 'retried'): void {
    this.entry(type)[kind]++;
  }

  observe(type: string, ms: number): void {
    this.entry(type).latency.observe(ms);
  }

  merge(s: TypeSnapshot | undefined): void {
    if (!s) return;
    for (const type in s) {
      const e = this.entry(type);
      const c = s[type];
      e.processed += c.processed;
      e.failed += c.failed;
      e.retried += c.retried;
      e.latency.merge(c.latency);
    }
  }

  snapshot(): TypeSnapshot {
    const out: TypeSnapshot = {};
    for (const [type, e] of this.m)
      out[type] = {
        processed: e.processed,
        failed: e.failed,
        retried: e.retried,
        latency: e.latency.snapshot(),
      };
    return out;
  }

  private entry(type: string): Entry {
    let e = this.m.get(type);
    if (e) return e;
    const key = this.m.size >= this.max && type !== OTHER_TYPE ? OTHER_TYPE : type;
    e = this.m.get(key);
    if (!e) {
      e = { processed: 0, failed: 0, retried: 0, latency: new LatencyHistogram() };
      this.m.set(key, e);
    }
    return e;
  }
}
