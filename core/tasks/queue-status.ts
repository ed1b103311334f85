import type { ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import type { LaneStatus, QueueStatus } from '../../api/features/tasks';
import {
  SUBJECTS,
  TASKS_STREAM,
  TASK_WORKERS_CONSUMER,
  TASK_WORKERS_HIGH_CONSUMER,
} from '../../api/task-wire';
import { errMessage, isNotFound } from '../../nats/topology';

const LANE_PREFIX = 'task-workers';

/**
 * The lanes' consumer numbers (backlog = num_pending, in flight = num_ack_pending, ...) and a
 * time-to-drain estimate: backlog ÷ completions per second over the last minute.
 */
export async function queueStatus(jsm: JetStreamManager, completionRatePerSec: number): Promise<QueueStatus> {
  const found = new Map<string, ConsumerInfo>();
  let streamError: string | undefined;
  try {
    for await (const ci of jsm.consumers.list(TASKS_STREAM)) {
      const name = ci.config.durable_name ?? ci.name;
      if (name.startsWith(LANE_PREFIX)) found.set(name, ci);
    }
  } catch (err) {
    streamError = isNotFound(err) ? `stream ${TASKS_STREAM} does not exist` : errMessage(err);
  }
  const lanes: LaneStatus[] = [];
  for (const [name, filter] of [
    [TASK_WORKERS_HIGH_CONSUMER, SUBJECTS.high],
    [TASK_WORKERS_CONSUMER, SUBJECTS.new],
  ] as const) {
    if (!found.has(name)) lanes.push(missingLane(name, filter, streamError));
  }
  for (const ci of [...found.values()].sort((a, b) => a.name.localeCompare(b.name)))
    lanes.push(laneStatus(ci));
  const backlog = lanes.reduce((n, l) => n + l.num_pending + l.num_ack_pending, 0);
  const rate = Math.round(completionRatePerSec * 10) / 10;
  const status: QueueStatus = {
    lanes,
    backlog,
    completionRatePerSec: rate,
    timeToDrainSec: backlog === 0 ? 0 : rate > 0 ? Math.ceil(backlog / rate) : null,
    at: new Date().toISOString(),
  };
  if (!streamError) {
    const si = await jsm.streams.info(TASKS_STREAM);
    status.stream = {
      messages: si.state.messages,
      bytes: si.state.bytes,
      first_seq: si.state.first_seq,
      last_seq: si.state.last_seq,
      consumers: si.state.consumer_count,
    };
  }
  return status;
}

function laneStatus(ci: ConsumerInfo): LaneStatus {
  // Typed as nanos, but the server sends an RFC 3339 time (absent before 2.10).
  const raw = (ci.delivered.last_active ?? ci.ack_floor.last_active) as unknown;
  const lastActive =
    typeof raw === 'string'
      ? raw
      : typeof raw === 'number' && raw > 0
        ? new Date(raw / 1e6).toISOString()
        : undefined;
  return {
    consumer: ci.config.durable_name ?? ci.name,
    filter: ci.config.filter_subject,
    exists: true,
    num_pending: ci.num_pending,
    num_ack_pending: ci.num_ack_pending,
    num_redelivered: ci.num_redelivered,
    num_waiting: ci.num_waiting,
    delivered_seq: ci.delivered.stream_seq,
    ack_floor_seq: ci.ack_floor.stream_seq,
    last_active: lastActive,
  };
}

function missingLane(consumer: string, filter: string, error?: string): LaneStatus {
  return {
    consumer,
    filter,
    exists: false,
    num_pending: 0,
    num_ack_pending: 0,
    num_redelivered: 0,
    num_waiting: 0,
    delivered_seq: 0,
    ack_floor_seq: 0,
    error: error ?? `consumer ${consumer} does not exist`,
  };
}
