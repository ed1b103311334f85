import type { ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import type { UnservedLane } from '../../api/features/fleet';
import type { LaneStatus, QueueStatus } from '../../api/features/tasks';
import type { LaneCoverage } from '../fleet/coverage';
import {
  SUBJECTS,
  TASKS_STREAM,
  TASK_WORKERS_CONSUMER,
  TASK_WORKERS_HIGH_CONSUMER,
  typedLaneConsumer,
} from '../../api/task-wire';
import { errMessage, isNotFound } from '../../nats/topology';

const LANE_PREFIX = 'task-workers';

/**
 * The lanes' consumer numbers (backlog = num_pending, in flight = num_ack_pending, ...) and a
 * time-to-drain estimate: backlog ÷ completions per second over the last minute.
 */
export async function queueStatus(
  jsm: JetStreamManager,
  completionRatePerSec: number,
  coverage?: LaneCoverage,
): Promise<QueueStatus> {
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
  if (!streamError) lanes.push(...(await typedLanesWithoutConsumer(jsm, found)));
  const backlog = lanes.reduce((n, l) => n + l.num_pending + l.num_ack_pending, 0);
  const rate = Math.round(completionRatePerSec * 10) / 10;
  const status: QueueStatus = {
    lanes,
    backlog,
    completionRatePerSec: rate,
    timeToDrainSec: backlog === 0 ? 0 : rate > 0 ? Math.ceil(backlog / rate) : null,
    at: new Date().toISOString(),
  };
  if (coverage) {
    const unserved = markServed(lanes, coverage);
    status.unserved = unserved;
    if (unserved.length > 0) {
      // Part of the backlog never drains: no number would be honest.
      status.timeToDrainSec = null;
      status.drainNote = `no worker serves ${unserved.map((u) => u.subject).join(', ')}`;
    }
  }
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

/** Lanes with tasks waiting and no answering worker (what the fleet screen and queue status report). */
export async function unservedLanes(jsm: JetStreamManager, coverage: LaneCoverage): Promise<UnservedLane[]> {
  return (await queueStatus(jsm, 0, coverage)).unserved ?? [];
}

const TYPED_PREFIX = SUBJECTS.typed('');

function markServed(lanes: LaneStatus[], coverage: LaneCoverage): UnservedLane[] {
  const unserved: UnservedLane[] = [];
  for (const l of lanes) {
    const type = l.filter?.startsWith(TYPED_PREFIX) ? l.filter.slice(TYPED_PREFIX.length) : undefined;
    l.servedBy = type ? (coverage.types.get(type) ?? 0) : coverage.general;
    const pending = l.num_pending + l.num_ack_pending;
    if (l.servedBy === 0 && pending > 0 && l.filter)
      unserved.push({ subject: l.filter, ...(type ? { type } : {}), pending });
  }
  return unserved;
}

/**
 * Typed tasks published by another client before any consumer existed for their type: every
 * message on that subject waits (a lane consumer delivers from the start), counted per subject.
 */
async function typedLanesWithoutConsumer(
  jsm: JetStreamManager,
  found: Map<string, ConsumerInfo>,
): Promise<LaneStatus[]> {
  const si = await jsm.streams.info(TASKS_STREAM, { subjects_filter: SUBJECTS.typedWildcard });
  const out: LaneStatus[] = [];
  for (const [subject, count] of Object.entries(si.state.subjects ?? {}).sort()) {
    const consumer = typedLaneConsumer(subject.slice(TYPED_PREFIX.length));
    if (found.has(consumer) || count === 0) continue;
    out.push({ ...missingLane(consumer, subject), num_pending: count });
  }
  return out;
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
