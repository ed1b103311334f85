import type { ErrorEnvelope } from '../api/errors';
import type { ConnectTarget } from '../nats/connect-options';
import type { WorkerStatsSnapshot } from '../api/features/workers';
import type { LatencySnapshot } from '../nats/latency-histogram';
import type { TypeSnapshot } from '../nats/metrics/type-stats';
import type { RuntimeState } from './runtime';

/**
 * Main ⇄ worker-thread protocol. Requests carry a `seq` and get exactly one `reply` with the
 * same seq; everything else the thread sends unasked (state, stats, logs, crashed).
 */

/** What a thread needs to open its own connection. Secrets travel by postMessage only, never logged. */
export type ThreadConnectInfo = ConnectTarget;

export interface ThreadConfig {
  /** Worker name in status events, e.g. "jetdeck-pool-2". */
  name: string;
  connect: ThreadConnectInfo;
  concurrency: number;
  types?: string[];
  /** Handlers module path (merged over the built-ins). */
  handlers?: string;
  backoffMs?: number[];
  taskTimeoutMs?: number;
  statsIntervalMs: number;
  /** This thread writes failure records from advisories (see WorkerRuntimeOptions.advisories). */
  advisories?: boolean;
}

export type MainToThread =
  | { kind: 'start'; seq: number; config: ThreadConfig }
  | { kind: 'drain'; seq: number }
  | { kind: 'stop'; seq: number };

export type ThreadToMain =
  | { kind: 'reply'; seq: number; ok: true; warnings?: string[] }
  /** Errors cross as the API's envelope, so the pool rethrows them with their code. */
  | { kind: 'reply'; seq: number; ok: false; error: ErrorEnvelope }
  | { kind: 'state'; state: RuntimeState }
  /** `latency`: the thread's cumulative bucketed histogram, merged by the pool for /metrics. */
  | { kind: 'stats'; stats: WorkerStatsSnapshot; latency?: LatencySnapshot; types?: TypeSnapshot }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { kind: 'crashed'; error: ErrorEnvelope };
