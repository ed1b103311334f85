import { z } from 'zod';
import { event, method } from '../define';
import { taskTypeSchema } from '../task-wire';
import { hostFileNameSchema } from './files';

/** The in-process worker pool: worker_threads, each with its own NATS connection and runtime. */

export type WorkerState = 'starting' | 'running' | 'draining' | 'stopped' | 'crashed' | 'restarting';
export type PoolState = 'stopped' | 'starting' | 'running' | 'stopping';

export interface CurrentTask {
  id: string;
  type: string;
  /** Epoch ms when this delivery started running. */
  startedAt: number;
  elapsedMs: number;
  attempt: number;
}

/** One runtime's counters (a `jetdeck worker` prints the same figures). */
export interface WorkerStatsSnapshot {
  processed: number;
  failed: number;
  retried: number;
  cancelled: number;
  inFlight: number;
  current: CurrentTask[];
  /** Completed tasks per second over the last few seconds. */
  throughput: number;
  /** Handler start → ack, in ms. */
  p50: number;
  p95: number;
  p99: number;
  uptimeMs: number;
}

export interface WorkerCard extends WorkerStatsSnapshot {
  /** e.g. "jetdeck-pool-1". */
  id: string;
  thread: number;
  state: WorkerState;
  restarts: number;
  lastError?: string;
}

export interface PoolStatus {
  state: PoolState;
  threads: number;
  concurrency: number;
  types?: string[];
  /** The handlers module's name (see `files.list({ folder: 'handlers' })`). */
  handlers?: string;
  workers: WorkerCard[];
  totals: { processed: number; failed: number; retried: number; inFlight: number; throughput: number };
  /** Topology differences and other things the user should know. */
  warnings: string[];
  error?: string;
  /** Why a stopped pool stopped (asked by the user, drained remotely, failed to start...). */
  stopReason?: string;
  /** The NATS servers the pool's own connections use (it follows them, not the app's active profile). */
  servers?: string[];
  /** The profile the pool was started from, when started by the app. */
  profile?: string;
  /** The pool's `jetdeck-worker` service instance id, when it is registered. */
  serviceId?: string;
}

const threads = z.number().int().min(1, 'at least 1 thread').max(32, 'at most 32 threads');
const concurrency = z
  .number()
  .int()
  .min(1, 'concurrency is at least 1')
  .max(10_000, 'concurrency is at most 10000');
/**
 * A handlers module is named, never given by path: a file in the data folder's `handlers/`,
 * the module given with `--handlers` (`cli:<name>`) or one picked in the desktop app.
 */
const handlersPath = hostFileNameSchema;
const types = z
  .array(taskTypeSchema)
  .max(100)
  .refine((t) => new Set(t).size === t.length, 'task types repeat');

export const workersMethods = {
  'workers.status': method(z.strictObject({}).optional()).returns<PoolStatus>(),
  'workers.start': method(
    z.strictObject({
      threads: threads.default(1),
      concurrency: concurrency.default(16),
      handlers: handlersPath.optional(),
      types: types.optional(),
    }),
  ).returns<PoolStatus>(),
  'workers.stop': method(
    z.strictObject({ graceful: z.boolean().default(true) }).optional(),
  ).returns<PoolStatus>(),
  'workers.scale': method(z.strictObject({ threads })).returns<PoolStatus>(),
  /** Restarts the threads with new settings (graceful drain first); null clears an option. */
  'workers.configure': method(
    z
      .strictObject({
        concurrency: concurrency.optional(),
        handlers: handlersPath.nullable().optional(),
        types: types.nullable().optional(),
      })
      .refine((v) => Object.keys(v).length > 0, 'nothing to configure'),
  ).returns<PoolStatus>(),
  /** Known task types (built-ins plus those of a handlers module), for suggestions. */
  'workers.handlerTypes': method(z.strictObject({ handlers: handlersPath.optional() }).optional()).returns<{
    types: string[];
    builtin: string[];
    error?: string;
  }>(),
};

export const workersEvents = {
  /** The pool and one card per worker, pushed every 500 ms while running and on state changes. */
  'workers.stats': event<PoolStatus>(),
};
