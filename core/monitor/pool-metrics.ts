import type { LatencySnapshot } from './latency-histogram';

/**
 * The worker pool's cumulative numbers as the monitor reads them. The pool (core/workers, or the
 * `jetdeck worker` process) owns them; the monitor only pulls a snapshot once per sample and on
 * each Prometheus scrape. All counters are cumulative since the pool started.
 */
export interface PoolMetricsSnapshot {
  processed: number;
  failed: number;
  /** Attempts that ended in a nak for retry. */
  retried: number;
  inFlight: number;
  /** Handler latency; p50/p95/p99 are derived from it (see latency-histogram.ts). */
  latency: LatencySnapshot;
  /** Optional per-worker numbers for labelled series. */
  workers?: { id: string; processed: number; failed: number; inFlight: number }[];
}

export type PoolMetricsSource = () => PoolMetricsSnapshot | undefined;

let source: PoolMetricsSource | undefined;

/**
 * Called by the worker pool (or the lead) to expose its numbers to the sampler and /metrics.
 * Returns a function that removes the source again (only if it is still the registered one).
 */
export function setPoolMetricsSource(fn: PoolMetricsSource | undefined): () => void {
  source = fn;
  return () => {
    if (source === fn) source = undefined;
  };
}

/** The pool's snapshot, or undefined when no pool runs (or its source throws). */
export function readPoolMetrics(): PoolMetricsSnapshot | undefined {
  try {
    return source?.();
  } catch {
    return undefined;
  }
}
