import type { PoolMetricsSnapshot } from '../../nats/metrics/inputs';

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
