import { z } from 'zod';

/**
 * The task queue's wire format: what any NATS client (Go, Python, the nats CLI) publishes and
 * reads. Shared by the core's task service, the worker runtime and the renderer.
 */
export const TASKS_STREAM = 'TASKS';
export const TASK_WORKERS_CONSUMER = 'task-workers';
export const TASK_WORKERS_HIGH_CONSUMER = 'task-workers-high';
/** Durable consumer of a typed lane (created on demand by whoever needs it first). */
export const typedLaneConsumer = (type: string) => `task-workers-typed-${type}`;
/**
 * Durable consumer of the scheduled lane (`tasks.scheduled`): any JetDeck process pulls from it,
 * naks each task with a delay until it is due, then releases it to its lane and acks.
 */
export const TASK_SCHEDULER_CONSUMER = 'task-scheduler';

/** Every subject the TASKS stream captures. */
export const TASKS_STREAM_SUBJECTS = [
  'tasks.new',
  'tasks.high',
  'tasks.typed.*',
  'tasks.scheduled',
  'tasks.status.*',
  'tasks.delete',
];
export const TASKS_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** Covers every redelivery of a task (3 × 30 s ack wait + backoff), so completion dedup holds. */
export const TASKS_DUPLICATE_WINDOW_MS = 3600 * 1000;

/**
 * Settings every lane consumer (task-workers, task-workers-high, task-workers-typed-<type>)
 * is created with; the filter subject differs per lane. Core and worker share these so an
 * idempotent create never conflicts. Durations in milliseconds (convert to nanos for the API).
 */
export const LANE_CONSUMER_SETTINGS = {
  max_deliver: 3,
  ack_wait_ms: 30_000,
  max_ack_pending: 20_000,
} as const;

/**
 * The scheduled lane. Its consumer never gives up on a task (max_deliver -1: every nak until due
 * is a delivery) and holds at most `max_ack_pending` waiting tasks in the server's timer at once.
 */
export const SCHEDULER_CONSUMER_SETTINGS = {
  ack_wait_ms: 30_000,
  max_ack_pending: 10_000,
} as const;
/** How far ahead a task may be scheduled: inside TASKS' max age (7 d), with a day to spare. */
export const MAX_SCHEDULE_AHEAD_MS = 6 * 24 * 3600 * 1000;
/** Headers of the scheduled lane. */
export const SCHEDULE_HEADERS = {
  /** On a `tasks.scheduled` message: the lane subject to release it to (default: by priority). */
  target: 'JetDeck-Target',
  /** On a released task: the `tasks.scheduled` sequence it was released from. */
  releasedFrom: 'JetDeck-Released-From',
} as const;
/**
 * A scheduled task waiting: on JetDeck's lane (`tasks.scheduled`) or as a native schedule of its
 * own (`tasks.scheduled.<token>`, nats-server 2.12+; see nats/schedules).
 */
export const isScheduledSubject = (subject: string): boolean =>
  subject === SUBJECTS.scheduled ||
  (subject.startsWith(`${SUBJECTS.scheduled}.`) && subject.split('.').length === 3);
/** Nats-Msg-Id of a released task: the stream keeps one release per task however often it is tried. */
export const releaseMsgId = (id: string) => `${id}:released`;

export const SUBJECTS = {
  /** New tasks (normal priority). Any client may publish here, with or without Nats-Msg-Id. */
  new: 'tasks.new',
  /** High-priority lane: general pools take from it before tasks.new. */
  high: 'tasks.high',
  /** Typed lane: tasks.typed.<type>, consumed only by pools limited to that type. */
  typed: (type: string) => `tasks.typed.${type}`,
  typedWildcard: 'tasks.typed.*',
  /** Tasks with a `run_at`, waiting until due (then published to their lane by JetDeck). */
  scheduled: 'tasks.scheduled',
  /** Status events: tasks.status.<status>. */
  status: (s: TaskStatus) => `tasks.status.${s}`,
  statusWildcard: 'tasks.status.*',
  /** Cancel requests: { id }. */
  delete: 'tasks.delete',
} as const;

export const TASK_STATUSES = [
  'scheduled',
  'pending',
  'processing',
  'retrying',
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** Task types are subject tokens (tasks.typed.<type>); ids also go into Nats-Msg-Id. */
export const TASK_TYPE_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const TASK_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,200}$/;

/** The schemas' rules as plain tests, for hot paths where zod costs too much (the worker). */
export const isTaskType = (s: string): boolean => TASK_TYPE_PATTERN.test(s);
export const isTaskId = (s: string): boolean => TASK_ID_PATTERN.test(s);

export const taskTypeSchema = z
  .string()
  .min(1, 'type is required')
  .max(128)
  .regex(TASK_TYPE_PATTERN, 'type may use letters, digits, _ and - only');

export const taskIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(TASK_ID_PATTERN, 'id may use letters, digits, _ . : and - only');

export const taskSchema = z.object({
  id: taskIdSchema,
  type: taskTypeSchema,
  payload: z.unknown(),
  created_at: z.string(),
  priority: z.enum(['normal', 'high']).optional(),
  max_attempts: z.number().int().positive().max(100).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** When a scheduled task (`tasks.scheduled`) is due, ISO 8601. */
  run_at: z.string().optional(),
});
export type Task = z.infer<typeof taskSchema>;

export const statusEventSchema = z.object({
  id: z.string(),
  status: z.enum(TASK_STATUSES),
  at: z.string(),
  attempt: z.number().int().nonnegative(),
  worker: z.string(),
  result: z.unknown().optional(),
  error: z.string().optional(),
  /** Progress reports while processing: fraction 0..1 and a note. */
  progress: z.number().min(0).max(1).optional(),
  note: z.string().optional(),
  /** For a retry: the id of the task this one re-runs. */
  retry_of: z.string().optional(),
  /** When this delivery started running (completed/failed/retrying carry it). */
  started_at: z.string().optional(),
  duration_ms: z.number().nonnegative().optional(),
  /** Stream sequence of the task message this event is about. */
  seq: z.number().int().nonnegative().optional(),
  /** The task's type, on `failed` events (a failure record readable without the task). */
  type: z.string().optional(),
});
export type StatusEvent = z.infer<typeof statusEventSchema>;

/**
 * `tasks.delete` bodies: `{ id }` asks to cancel the task; `{ id, discard: true }` marks a failed
 * task's dead letter discarded and cancels nothing (on its own subject it is not counted as a
 * `cancelled` status, so the status counts stay equal to what the stream holds).
 */
export const cancelSchema = z.object({ id: taskIdSchema, discard: z.literal(true).optional() });

/**
 * The id a task message's status events use, even when it is not a valid task: its JSON `id`
 * when that is a valid task id, else its Nats-Msg-Id, else `seq:<stream seq>`. The worker and
 * every advisory reader derive it the same way, so their records of one message share ids.
 */
export function taskRecordId(body: unknown, msgId: string | undefined, seq: number): string {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  if (taskIdSchema.safeParse(id).success) return id as string;
  return msgId || `seq:${seq}`;
}
