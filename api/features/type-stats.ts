import { z } from 'zod';
import { method } from '../define';

/**
 * Per task type: throughput, failure rate and latency of the in-process pool, from the counters
 * its threads already report (bounded: 20 types by name, the rest as `other`).
 */
export interface TypeStatsRow {
  type: string;
  /** Since the pool started (restarted and scaled-down threads included). */
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
}

export interface TypeStatsReport {
  types: TypeStatsRow[];
  /** Seconds the rates cover (up to 60; 0 until there are two samples). */
  windowSec: number;
  /** False when no pool runs in this process. */
  pool: boolean;
  at: string;
}

export const typeStatsMethods = {
  'workers.typeStats': method(z.strictObject({}).optional()).returns<TypeStatsReport>(),
};
