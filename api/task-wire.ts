import { z } from 'zod';

/**
 * The task queue's wire format: what any NATS client (Go, Python, the nats CLI) publishes and
 * reads. Shared by the core's task service, the worker runtime and the renderer.
 */
export const TASKS_STREAM = 'TASKS';
export const TASK_WORKERS_CONSUMER = 'task-workers';

export const SUBJECTS = {
  /** New tasks (normal priority). Any client may publish here, with or without Nats-Msg-Id. */
  new: 'tasks.new',
  /** Status events: tasks.status.<status>. */
  status: (s: TaskStatus) => `tasks.status.${s}`,
  statusWildcard: 'tasks.status.*',
  /** Cancel requests: { id }. */
  delete: 'tasks.delete',
} as const;

export const TASK_STATUSES = ['pending', 'processing', 'retrying', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

export const taskTypeSchema = z
  .string()
  .min(1, 'type is required')
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'type may use letters, digits, _ and - only');

export const taskIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'id may use letters, digits, _ . : and - only');

export const taskSchema = z.object({
  id: taskIdSchema,
  type: taskTypeSchema,
  payload: z.unknown(),
  created_at: z.string(),
  priority: z.enum(['normal', 'high']).optional(),
  max_attempts: z.number().int().positive().max(100).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
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
});
export type StatusEvent = z.infer<typeof statusEventSchema>;

export const cancelSchema = z.object({ id: taskIdSchema });
