import { z } from 'zod';
import { method } from '../define';

/**
 * Per task type: throughput, failure rate and latency of every worker on the cluster — this
 * process's pool and each `jetdeck worker` (with or without threads) — from the cumulative counters
 * each reports in its `jetdeck-worker` service's STATS data (bounded: 20 types by name per worker,
 * the rest as `other`; at most 40 rows).
 */
export interface TypeStatsRow {
  type: string;
  /** Summed over the workers answering now, each since it started (restarted and scaled-down threads included). */
  processed: number;
  failed: number;
  retried: number;
  /** Tasks finished (completed + failed) per second over the window. */
  throughput: number;
  /** failed / (completed + failed) over the window; null when none finished in it. */
  failureRate: number | null;
  /** Handler latency of completed tasks over the window (since start when none completed in it), in ms; null before any completed. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** How many of the workers counted have run this type. */
  workers?: number;
}

export interface TypeStatsReport {
  types: TypeStatsRow[];
  /** Seconds the rates cover (up to 60; 0 until there are two samples). */
  windowSec: number;
  /** True when this process's own pool runs (it is counted among `workers`). */
  pool: boolean;
  /** Workers whose counters are in the figures (this process's pool and every `jetdeck worker` that answered). */
  workers: number;
  /** Workers left out because there were more than the cap (64, the busiest kept). */
  workersOmitted?: number;
  at: string;
}

export const typeStatsMethods = {
  'workers.typeStats': method(z.strictObject({}).optional()).returns<TypeStatsReport>(),
};
