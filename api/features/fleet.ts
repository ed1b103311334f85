import { z } from 'zod';
import { method } from '../define';

/**
 * The fleet: every `jetdeck worker` and every in-process pool is a NATS micro service named
 * `jetdeck-worker`, discovered with `$SRV.STATS.jetdeck-worker` (what `nats micro stats` sends),
 * so JetDeck and the nats CLI see the same list. Control goes through the service's endpoints
 * `jetdeck.worker.<service id>.<action>`, refused unless the worker allows remote control.
 */
export const WORKER_SERVICE_NAME = 'jetdeck-worker';
export const WORKER_CONTROL_PREFIX = 'jetdeck.worker';
export const workerControlSubject = (serviceId: string, action: WorkerEndpoint) =>
  `${WORKER_CONTROL_PREFIX}.${serviceId}.${action}`;
export const WORKER_ENDPOINTS = ['status', 'drain', 'pause', 'resume', 'concurrency'] as const;
export type WorkerEndpoint = (typeof WORKER_ENDPOINTS)[number];
export type ControlAction = Exclude<WorkerEndpoint, 'status'>;

export type FleetMemberState = 'running' | 'paused' | 'draining' | 'stopped' | 'starting';
export type FleetMemberKind = 'pool' | 'process';

/** What a worker's `status` endpoint answers, and the `data` of that endpoint in STATS. */
export interface FleetMemberStatus {
  state: FleetMemberState;
  /** Tasks run at once per runtime (thread). */
  concurrency: number;
  threads: number;
  inFlight: number;
  processed: number;
  failed: number;
  retried: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  /** Why it stopped or paused, when it did. */
  reason?: string;
  /**
   * Cumulative counters per task type since the worker started (20 types by name, the rest as
   * `other`), in the STATS data only: what `workers.typeStats` turns into per-type rates for the fleet.
   */
  types?: FleetTypeCounts;
}

/** Per-type counters of one worker, as plain data (the shape of nats/metrics TypeSnapshot). */
export type FleetTypeCounts = Record<
  string,
  {
    processed: number;
    failed: number;
    retried: number;
    /** Handler latency buckets (LATENCY_BUCKETS_MS, one more for +Inf), sum and count. */
    latency: { counts: number[]; sum: number; count: number };
  }
>;

/** Static facts, in the service's metadata (strings, as the protocol wants). */
export interface FleetMemberInfo {
  worker: string;
  kind: FleetMemberKind;
  host: string;
  pid: number;
  version: string;
  /** Subjects it consumes, e.g. tasks.high, tasks.new or tasks.typed.<type>. */
  lanes: string[];
  /** Only these typed lanes; absent: the general lanes. */
  types?: string[];
  remoteControl: boolean;
  /** NATS servers it is connected to (its own connection). */
  server?: string;
}

export interface FleetWorker extends FleetMemberInfo {
  /** The service instance id (`nats micro` shows the same). */
  id: string;
  status?: FleetMemberStatus;
  started?: string;
  /** Epoch ms of the last answer. */
  lastSeen: number;
  /** False when it answered an earlier sweep but not the last one. */
  answering: boolean;
  /** This JetDeck's own in-process pool. */
  local: boolean;
}

/** A lane with tasks waiting and nobody serving it. */
export interface UnservedLane {
  subject: string;
  type?: string;
  pending: number;
}

export interface FleetList {
  workers: FleetWorker[];
  /** ISO time of the sweep. */
  at: string;
  /** Typed lanes with pending tasks that no answering worker serves (plus the general lanes when no general worker answers). */
  unserved: UnservedLane[];
}

export const concurrencyInput = z
  .number()
  .int()
  .min(1, 'concurrency is at least 1')
  .max(10_000, 'concurrency is at most 10000');

/** Body of `jetdeck.worker.<id>.concurrency`. */
export const setConcurrencyBody = z.object({ concurrency: concurrencyInput });

const serviceId = z
  .string()
  .trim()
  .min(1, 'worker id is empty')
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'worker id is a service id (letters, digits, _ and -)');

export const fleetMethods = {
  /** Sweeps `$SRV.STATS.jetdeck-worker` and returns every worker seen (recently silent ones marked). */
  'fleet.list': method(z.strictObject({}).optional()).returns<FleetList>(),
  /** Drain, pause, resume or set the concurrency of a worker through its service endpoint. */
  'fleet.control': method(
    z.discriminatedUnion('action', [
      z.strictObject({ id: serviceId, action: z.enum(['drain', 'pause', 'resume']) }),
      z.strictObject({ id: serviceId, action: z.literal('concurrency'), concurrency: concurrencyInput }),
    ]),
  ).returns<FleetMemberStatus>(),
};

export const fleetEvents = {};
