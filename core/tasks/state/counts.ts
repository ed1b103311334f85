import type { JetStreamManager } from '@nats-io/jetstream';
import type { StatusCounts } from '../../../api/features/tasks';
import {
  SUBJECTS,
  TASKS_STREAM,
  TASK_SCHEDULER_CONSUMER,
  TASK_STATUSES,
  isScheduledSubject,
} from '../../../api/task-wire';
import { isTaskSubject } from './record';
import { isNotFound } from '../../../nats/topology';

const LANE_PREFIX = 'task-workers';

export interface StreamCounts {
  counts: StatusCounts;
  lastSeq: number;
  at: number;
}

/**
 * Task counts as the server holds them, whoever indexed what: tasks = messages on the task
 * subjects, completed/failed/cancelled = status events on their subjects (one per task: they
 * carry Nats-Msg-Ids), in flight = the lane consumers' ack-pending (redelivered ones count as
 * retrying), pending = the rest; scheduled = what the scheduled lane's consumer has not released
 * (or dropped) yet, plus native schedules still held (one message per `tasks.scheduled.<id>`). Two server requests, whatever the history length.
 */
export async function streamCounts(
  jsm: JetStreamManager,
  lanesOf: (jsm: JetStreamManager) => Promise<LaneNumbers> = laneNumbers,
): Promise<StreamCounts> {
  const [si, lanes] = await Promise.all([
    jsm.streams.info(TASKS_STREAM, { subjects_filter: 'tasks.>' }),
    lanesOf(jsm),
  ]);
  const subjects = si.state.subjects ?? {};
  let total = 0;
  // Native schedules (nats/schedules) wait on subjects of their own until the server fires them.
  let native = 0;
  for (const [s, n] of Object.entries(subjects)) {
    if (isTaskSubject(s)) total += n;
    else if (s !== SUBJECTS.scheduled && isScheduledSubject(s)) native += n;
  }
  const c = { total: total + lanes.scheduled + native } as StatusCounts;
  for (const s of TASK_STATUSES) c[s] = 0;
  c.scheduled = lanes.scheduled + native;
  c.completed = subjects['tasks.status.completed'] ?? 0;
  c.failed = subjects['tasks.status.failed'] ?? 0;
  c.cancelled = subjects['tasks.status.cancelled'] ?? 0;
  const open = Math.max(0, total - c.completed - c.failed - c.cancelled);
  c.retrying = Math.min(open, lanes.redelivered);
  c.processing = Math.min(open - c.retrying, Math.max(0, lanes.ackPending - lanes.redelivered));
  c.pending = open - c.retrying - c.processing;
  return { counts: c, lastSeq: si.state.last_seq, at: Date.now() };
}

export interface LaneNumbers {
  ackPending: number;
  redelivered: number;
  scheduled: number;
}

/**
 * The lanes' numbers, the task lanes' read again only once `reuseMs` passed since the last read
 * (see consumerInfoReuseMs: on servers that rescan a consumer's backlog after each info). The
 * scheduled lane is read every time: a cancel or a release shows at once, and that consumer
 * delivers a task only when it falls due.
 */
export function reusedLaneNumbers(reuseMs: number): (jsm: JetStreamManager) => Promise<LaneNumbers> {
  let last: { at: number; lanes: Promise<LaneNumbers> } | undefined;
  return async (jsm) => {
    const now = Date.now();
    if (!last || now - last.at >= reuseMs) {
      const lanes = laneNumbers(jsm);
      last = { at: now, lanes };
      // A failed read is not reused.
      lanes.catch(() => {
        if (last?.lanes === lanes) last = undefined;
      });
      return lanes;
    }
    const [lanes, scheduled] = await Promise.all([last.lanes, scheduledNumber(jsm)]);
    return { ...lanes, scheduled };
  };
}

/** Tasks the scheduled lane's consumer holds: not delivered yet, or waiting in its timer. */
async function scheduledNumber(jsm: JetStreamManager): Promise<number> {
  const ci = await jsm.consumers.info(TASKS_STREAM, TASK_SCHEDULER_CONSUMER).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  return ci ? ci.num_pending + ci.num_ack_pending : 0;
}

async function laneNumbers(jsm: JetStreamManager): Promise<LaneNumbers> {
  let ackPending = 0;
  let redelivered = 0;
  let scheduled = 0;
  for await (const ci of jsm.consumers.list(TASKS_STREAM)) {
    const name = ci.config.durable_name ?? ci.name;
    // Waiting in the server's timer (ack pending) or not delivered yet.
    if (name === TASK_SCHEDULER_CONSUMER) scheduled = ci.num_pending + ci.num_ack_pending;
    if (!name.startsWith(LANE_PREFIX)) continue;
    ackPending += ci.num_ack_pending;
    redelivered += ci.num_redelivered;
  }
  return { ackPending, redelivered, scheduled };
}
