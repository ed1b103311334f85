import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import {
  LANE_CONSUMER_SETTINGS,
  SUBJECTS,
  TASKS_DUPLICATE_WINDOW_MS,
  TASKS_MAX_AGE_MS,
  TASKS_STREAM,
  TASKS_STREAM_SUBJECTS,
  TASK_WORKERS_CONSUMER,
  TASK_WORKERS_HIGH_CONSUMER,
  typedLaneConsumer,
} from '../api/task-wire';

/**
 * Idempotent creation of the TASKS stream and the lane consumers, as the design fixes them.
 * An existing stream or consumer is used as it is; where its config differs from ours we
 * report the difference (warnings) and never overwrite it: the user decides.
 */

export interface Lane {
  consumer: string;
  subject: string;
}

export const HIGH_LANE: Lane = { consumer: TASK_WORKERS_HIGH_CONSUMER, subject: SUBJECTS.high };
export const NORMAL_LANE: Lane = { consumer: TASK_WORKERS_CONSUMER, subject: SUBJECTS.new };
export const typedLane = (type: string): Lane => ({
  consumer: typedLaneConsumer(type),
  subject: SUBJECTS.typed(type),
});

/** A general pool takes the high lane before the normal one; a typed pool only its types' lanes. */
export function lanesFor(types?: string[]): Lane[] {
  return types && types.length > 0 ? types.map(typedLane) : [HIGH_LANE, NORMAL_LANE];
}

export function desiredStreamConfig(replicas = 1): Partial<StreamConfig> & { name: string } {
  return {
    name: TASKS_STREAM,
    subjects: [...TASKS_STREAM_SUBJECTS],
    storage: StorageType.File,
    // Limits, not WorkQueue: finished tasks stay replayable for max_age.
    retention: RetentionPolicy.Limits,
    max_age: nanos(TASKS_MAX_AGE_MS),
    duplicate_window: nanos(TASKS_DUPLICATE_WINDOW_MS),
    num_replicas: replicas,
    discard: DiscardPolicy.Old,
  };
}

export function desiredConsumerConfig(lane: Lane): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: lane.consumer,
    filter_subject: lane.subject,
    ack_policy: AckPolicy.Explicit,
    // "all": nothing published before the consumer existed is skipped.
    deliver_policy: DeliverPolicy.All,
    max_deliver: LANE_CONSUMER_SETTINGS.max_deliver,
    ack_wait: nanos(LANE_CONSUMER_SETTINGS.ack_wait_ms),
    max_ack_pending: LANE_CONSUMER_SETTINGS.max_ack_pending,
  };
}

export interface TopologyResult {
  /** Human-readable differences between what exists and what JetDeck would create. */
  warnings: string[];
  /** The lane consumers' actual settings (existing ones may differ from ours). */
  consumers: Record<string, ConsumerInfo>;
}

const isNotFound = (err: unknown) =>
  err instanceof JetStreamApiError && (err.code === 10059 || err.code === 10014 || err.status === 404);

/** Creates the stream if missing; returns differences of an existing one. */
export async function ensureStream(jsm: JetStreamManager, replicas = 1): Promise<string[]> {
  const want = desiredStreamConfig(replicas);
  try {
    const info = await jsm.streams.info(TASKS_STREAM);
    return diff(`stream ${TASKS_STREAM}`, want, info.config as unknown as Record<string, unknown>);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await jsm.streams.add(want);
  } catch (err) {
    // Another process created it between our info and add: use theirs.
    const exists = await jsm.streams.info(TASKS_STREAM).catch(() => undefined);
    if (!exists) throw err;
  }
  return [];
}

/** Creates one lane consumer if missing; an existing one is returned unchanged, with differences. */
export async function ensureLaneConsumer(
  jsm: JetStreamManager,
  lane: Lane,
  /** Recreating a consumer deleted under a running worker: start here, not at the stream's beginning. */
  since?: Date,
): Promise<{ info: ConsumerInfo; warnings: string[] }> {
  const want = desiredConsumerConfig(lane);
  const create = since
    ? { ...want, deliver_policy: DeliverPolicy.StartTime, opt_start_time: since.toISOString() }
    : want;
  try {
    const info = await jsm.consumers.info(TASKS_STREAM, lane.consumer);
    return {
      info,
      warnings: diff(`consumer ${lane.consumer}`, want, info.config as unknown as Record<string, unknown>),
    };
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    return { info: await jsm.consumers.add(TASKS_STREAM, create), warnings: [] };
  } catch (err) {
    // Created concurrently (possibly with another config): read it back and use it.
    const info = await jsm.consumers.info(TASKS_STREAM, lane.consumer).catch(() => undefined);
    if (!info) throw err;
    return {
      info,
      warnings: diff(`consumer ${lane.consumer}`, want, info.config as unknown as Record<string, unknown>),
    };
  }
}

/** Stream plus every lane consumer `lanes` needs. Safe to call from many workers at once. */
export async function ensureTopology(
  jsm: JetStreamManager,
  opts: { lanes?: Lane[]; replicas?: number } = {},
): Promise<TopologyResult> {
  const warnings = await ensureStream(jsm, opts.replicas);
  const consumers: Record<string, ConsumerInfo> = {};
  for (const lane of opts.lanes ?? lanesFor()) {
    const r = await ensureLaneConsumer(jsm, lane);
    consumers[lane.consumer] = r.info;
    warnings.push(...r.warnings);
  }
  return { warnings, consumers };
}

function diff(what: string, want: Record<string, unknown>, have: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(want)) {
    const h = have[k];
    if (JSON.stringify(h ?? null) !== JSON.stringify(v)) {
      out.push(`${what}: ${k} is ${JSON.stringify(h)}, JetDeck would use ${JSON.stringify(v)}`);
    }
  }
  return out;
}
