import { z } from 'zod';
import { viewNameSchema } from '../../api/features/views';
import type {
  IndexState,
  LaneStatus,
  QueueStatus,
  TaskDetail,
  TaskSummary,
  TimelineEntry,
} from '../../api/features/tasks';
import { listInputSchema, publishInputSchema } from '../../api/features/tasks';
import { ERROR_CODES } from '../../api/errors';
import { TASK_STATUSES, taskIdSchema, taskSchema } from '../../api/task-wire';

/**
 * Zod schemas of the REST API: requests are validated with them, and the OpenAPI document is
 * generated from them (`z.toJSONSchema`). Response schemas are checked against the contract's
 * types with `satisfies`, so the document cannot drift from what handlers return.
 */

export const createTaskBody = publishInputSchema;

/** Query strings carry text: a number is converted, then checked by the contract's own rule. */
const fromQuery = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), schema);

/** The contract's list input, read from a query string; unknown parameters are a 400. */
export const listQuery = z.strictObject({
  ...listInputSchema.shape,
  limit: fromQuery(listInputSchema.shape.limit),
  /** A saved view's filter (views.save); parameters given beside it win. */
  view: viewNameSchema.optional(),
});

export const idParams = z.strictObject({ id: taskIdSchema });

export const statusBody = z.strictObject({ status: z.enum(TASK_STATUSES) });

/** The one error shape of every serve route (REST, /api/call, auth and framework errors). */
export const errorBody = z.object({
  ok: z.literal(false),
  error: z.object({
    name: z.string(),
    code: z.enum(ERROR_CODES),
    message: z.string(),
    detail: z.unknown().optional(),
  }),
});

const statusEnum = z.enum(TASK_STATUSES);

export const taskSummarySchema = z.object({
  id: z.string(),
  type: z.string(),
  status: statusEnum,
  priority: z.enum(['normal', 'high']),
  subject: z.string(),
  seq: z.number().int(),
  published_at: z.string(),
  updated_at: z.string(),
  attempts: z.number().int(),
  worker: z.string().optional(),
  last_error: z.string().optional(),
  cancel_requested: z.boolean().optional(),
  discarded: z.boolean().optional(),
  retry_of: z.string().optional(),
  retried_as: z.array(z.string()).optional(),
  duration_ms: z.number().optional(),
  run_at: z.string().optional(),
}) satisfies z.ZodType<TaskSummary>;

export const timelineEntrySchema = z.object({
  kind: z.enum(['published', 'status', 'cancel-request', 'discarded', 'advisory', 'retried-as']),
  at: z.string(),
  seq: z.number().int().optional(),
  subject: z.string().optional(),
  status: statusEnum.optional(),
  attempt: z.number().int().optional(),
  worker: z.string().optional(),
  error: z.string().optional(),
  result: z.unknown().optional(),
  note: z.string().optional(),
  progress: z.number().optional(),
  duration_ms: z.number().optional(),
  started_at: z.string().optional(),
  retry_of: z.string().optional(),
  retried_as: z.string().optional(),
  reason: z.string().optional(),
  deliveries: z.number().int().optional(),
}) satisfies z.ZodType<TimelineEntry>;

export const taskDetailSchema = taskSummarySchema.extend({
  task: taskSchema.optional(),
  result: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeline: z.array(timelineEntrySchema),
}) satisfies z.ZodType<TaskDetail>;

export const createdTaskSchema = taskSchema.extend({
  status: statusEnum,
  seq: z.number().int(),
  subject: z.string(),
  duplicate: z.boolean(),
});

export const indexStateSchema = z.object({
  role: z.enum(['writer', 'reader']),
  indexed_seq: z.number().int(),
  stream_last_seq: z.number().int(),
  lag: z.number().int(),
  stale: z.boolean(),
  window: z.number().int(),
  window_from_seq: z.number().int(),
  window_filling: z.boolean().optional(),
  recoveries: z.number().int(),
  last_error: z.string().optional(),
  ignored_events: z.number().int(),
  messages_read: z.number().int(),
}) satisfies z.ZodType<IndexState>;

export const taskListSchema = z.object({
  tasks: z.array(taskSummarySchema),
  next: z.string().optional(),
  /** What the TASKS stream holds. */
  counts: z.record(z.string(), z.number().int()),
  ready: z.boolean(),
  /** How far the task state is behind the stream (lag, stale) and who writes it. */
  index: indexStateSchema.optional(),
});

export const statusResultSchema = z.object({
  task: taskSummarySchema,
  retry: z
    .object({ task: taskSchema, seq: z.number().int(), subject: z.string(), duplicate: z.boolean() })
    .optional(),
});

export const laneSchema = z.object({
  consumer: z.string(),
  filter: z.string().optional(),
  exists: z.boolean(),
  num_pending: z.number().int(),
  num_ack_pending: z.number().int(),
  num_redelivered: z.number().int(),
  num_waiting: z.number().int(),
  delivered_seq: z.number().int(),
  ack_floor_seq: z.number().int(),
  last_active: z.string().optional(),
  error: z.string().optional(),
  servedBy: z.number().int().optional(),
}) satisfies z.ZodType<LaneStatus>;

export const queueStatusSchema = z.object({
  lanes: z.array(laneSchema),
  backlog: z.number().int(),
  completionRatePerSec: z.number(),
  timeToDrainSec: z.number().nullable(),
  unserved: z
    .array(z.object({ subject: z.string(), type: z.string().optional(), pending: z.number().int() }))
    .optional(),
  drainNote: z.string().optional(),
  stream: z
    .object({
      messages: z.number(),
      bytes: z.number(),
      first_seq: z.number(),
      last_seq: z.number(),
      consumers: z.number(),
    })
    .optional(),
  at: z.string(),
}) satisfies z.ZodType<QueueStatus>;

const natsStateSchema = z.object({
  connected: z.boolean(),
  server: z.string().nullable(),
  version: z.string().nullable(),
  jetstream: z.boolean(),
});

export const healthSchema = z.object({
  ok: z.literal(true),
  ready: z.boolean(),
  nats: natsStateSchema,
});

export const readinessSchema = z.object({
  ready: z.boolean(),
  reason: z.string().optional(),
  nats: natsStateSchema,
});

export const methodParams = z.strictObject({
  method: z.string().regex(/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/, 'a contract method, e.g. tasks.list'),
});

/** The contract method's input; each method validates its own. */
export const callBody = z.unknown();

export const callResult = z.object({ ok: z.literal(true), result: z.unknown() });
