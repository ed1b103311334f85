import type { MonitorServer } from '../../api/features/monitor';
import type { LatencySnapshot } from '../latency-histogram';
import type { TypeSnapshot } from './type-stats';

/** The numbers `/metrics` formats: plain data, read at scrape time from whoever owns them. */

/** The parts of the server's StreamInfo / ConsumerInfo JSON the sampler and health checks read. */
export interface RawStreamInfo {
  config: { name: string; max_msgs?: number; max_bytes?: number; num_replicas?: number; retention?: string };
  state: {
    messages: number;
    bytes: number;
    first_seq: number;
    last_seq: number;
    consumer_count: number;
  };
  cluster?: {
    leader?: string;
    replicas?: { name: string; current: boolean; offline?: boolean; lag?: number; active?: number }[];
  };
}
export interface RawConsumerInfo {
  stream_name: string;
  name: string;
  config: {
    durable_name?: string;
    max_ack_pending?: number;
    max_deliver?: number;
    filter_subject?: string;
    filter_subjects?: string[];
  };
  delivered: { consumer_seq: number; stream_seq: number };
  ack_floor: { consumer_seq: number; stream_seq: number; last_active?: string };
  num_ack_pending: number;
  num_redelivered: number;
  num_waiting: number;
  num_pending: number;
}

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
  /** The same per task type (bounded: the first MAX_TYPE_LABELS types, the rest as `other`). */
  types?: TypeSnapshot;
  /** Optional per-worker numbers for labelled series. */
  workers?: { id: string; processed: number; failed: number; inFlight: number }[];
}

/** What /metrics reports; every part is optional (a bare `jetdeck worker` has only the pool). */
export interface MetricsInputs {
  pool?: PoolMetricsSnapshot;
  consumers?: RawConsumerInfo[];
  streams?: RawStreamInfo[];
  servers?: MonitorServer[];
}
export type MetricsReader = () => MetricsInputs;
