import { z } from 'zod';
import { event, method } from '../define';
import type { UnservedLane } from './fleet';
import {
  MAX_SCHEDULE_AHEAD_MS,
  TASK_ID_PATTERN,
  TASK_STATUSES,
  taskIdSchema,
  taskTypeSchema,
  type Task,
  type TaskStatus,
} from '../task-wire';

/** True for values that survive JSON round-trips unchanged (no undefined, Date, Map, NaN...). */
export function isJsonValue(v: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJsonValue(x, depth + 1));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(v as Record<string, unknown>).every((x) => isJsonValue(x, depth + 1));
  }
  return false;
}

export const jsonPayloadSchema = z.unknown().refine((v) => v === undefined || isJsonValue(v), {
  message: 'payload must be JSON (objects, arrays, strings, finite numbers, booleans, null)',
});

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

/** Headers users may add: token-character names, never the Nats-* ones JetStream interprets. */
export const userHeadersSchema = z
  .record(
    z.string(),
    z
      .string()
      .max(4096)
      .regex(/^[^\r\n]*$/, 'header values must not contain line breaks'),
  )
  .superRefine((h, ctx) => {
    const names = Object.keys(h);
    if (names.length > 32) ctx.addIssue({ code: 'custom', message: 'at most 32 headers' });
    for (const n of names) {
      if (!HEADER_NAME.test(n)) {
        ctx.addIssue({
          code: 'custom',
          path: [n],
          message: "header names may use letters, digits and !#$%&'*+.^_`|~- only (1-128 chars)",
        });
      } else if (/^nats-/i.test(n)) {
        ctx.addIssue({ code: 'custom', path: [n], message: 'Nats-* headers are reserved' });
      }
    }
  });

export const TASK_PRIORITIES = ['normal', 'high'] as const;
export const TASK_ROUTES = ['default', 'typed'] as const;

const DELAY_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DELAY_TEXT = /^(?:\d+(?:ms|s|m|h|d))+$/;

/**
 * A delay as the API takes it: milliseconds, or a text of number+unit parts ("90s", "5m",
 * "1h30m"; units ms, s, m, h, d). Undefined when the text is not one.
 */
export function delayMs(v: number | string): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  const t = v.trim();
  if (!DELAY_TEXT.test(t)) return undefined;
  let ms = 0;
  for (const [, n, unit] of t.matchAll(/(\d+)(ms|s|m|h|d)/g))
    ms += Number(n) * DELAY_UNITS_MS[unit as keyof typeof DELAY_UNITS_MS];
  return ms;
}

const TOO_FAR = `a task can be scheduled at most ${MAX_SCHEDULE_AHEAD_MS / 86_400_000} days ahead (TASKS keeps messages 7 days)`;

export const delaySchema = z.union([z.number(), z.string().max(40)]).superRefine((v, ctx) => {
  const ms = delayMs(v);
  if (ms === undefined)
    ctx.addIssue({
      code: 'custom',
      message: 'delay is milliseconds (a whole number ≥ 0) or a text like "90s", "5m", "1h30m"',
    });
  else if (ms > MAX_SCHEDULE_AHEAD_MS) ctx.addIssue({ code: 'custom', message: TOO_FAR });
});

export const runAtSchema = z.iso
  .datetime({ offset: true, error: 'run_at is an ISO 8601 time, e.g. 2026-12-01T09:00:00Z' })
  .refine((v) => Date.parse(v) - Date.now() <= MAX_SCHEDULE_AHEAD_MS, TOO_FAR);

/** When a task published now with `run_at` or `delay` is due (ms since epoch); undefined = now. */
export function dueAt(input: { run_at?: string; delay?: number | string }, now = Date.now()) {
  if (input.run_at !== undefined) return Date.parse(input.run_at);
  if (input.delay !== undefined) return now + (delayMs(input.delay) ?? 0);
  return undefined;
}

const publishFields = z.strictObject({
  type: taskTypeSchema,
  /** Any JSON value; omitted = null. */
  payload: jsonPayloadSchema.optional(),
  id: taskIdSchema.optional(),
  priority: z.enum(TASK_PRIORITIES).optional(),
  /** 'typed' publishes to tasks.typed.<type> for pools limited to that type. */
  route: z.enum(TASK_ROUTES).optional(),
  max_attempts: z
    .number({ error: 'max attempts must be a number' })
    .int('max attempts must be a whole number from 1 to 100')
    .min(1, 'max attempts must be a whole number from 1 to 100')
    .max(100, 'max attempts must be a whole number from 1 to 100')
    .optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  headers: userHeadersSchema.optional(),
  /** Run no earlier than this time (ISO 8601): the task waits in the scheduled lane until then. */
  run_at: runAtSchema.optional(),
  /** Run after this long: milliseconds or "90s", "5m", "1h30m". */
  delay: delaySchema.optional(),
});

/** What publishing one task takes (REST `POST /api/tasks` uses the same schema). */
export const publishInputSchema = publishFields.refine(
  (v) => v.run_at === undefined || v.delay === undefined,
  { message: 'give run_at or delay, not both', path: ['delay'] },
);
export type PublishInput = z.infer<typeof publishInputSchema>;

export const bulkInputSchema = publishFields.omit({ id: true, run_at: true, delay: true }).extend({
  count: z
    .number({ error: 'count must be a number' })
    .int('count must be a whole number from 1 to 10,000,000')
    .min(1, 'count must be a whole number from 1 to 10,000,000')
    .max(10_000_000, 'count must be a whole number from 1 to 10,000,000'),
  /** Tasks per second; omitted = as fast as the server acknowledges. */
  ratePerSec: z
    .number({ error: 'rate must be a number of tasks per second' })
    .positive('rate must be more than 0 tasks per second')
    .max(10_000_000, 'rate is at most 10,000,000 tasks per second')
    .optional(),
  /** Ids become `<idPrefix>-<n>` (1-based) instead of generated sortable ids. */
  idPrefix: z
    .string()
    .max(150)
    .regex(TASK_ID_PATTERN, 'idPrefix may use letters, digits, _ . : and - only')
    .optional(),
});

export const listInputSchema = z.strictObject({
  status: z.enum(TASK_STATUSES).optional(),
  type: z.string().max(128).optional(),
  /** Id prefix or substring. */
  q: z.string().max(200).optional(),
  limit: z.number().int().positive().max(1000).default(100),
  /** `next` from the previous page. */
  cursor: z.string().max(40).regex(/^\d+$/, 'cursor must be the `next` value of a previous page').optional(),
});

export const deadLetterFilterSchema = z.strictObject({
  type: z.string().max(128).optional(),
  q: z.string().max(200).optional(),
  /** Also list dead letters already retried or discarded. */
  includeResolved: z.boolean().optional(),
  /** Only the group with this error fingerprint (tasks.deadLetters.groups). */
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{12}$/, 'a fingerprint is 12 hex characters, as listed by tasks.deadLetters.groups')
    .optional(),
});

export type TimelineKind =
  'published' | 'status' | 'cancel-request' | 'discarded' | 'advisory' | 'retried-as';

/** One thing that happened to a task, in stream order. */
export interface TimelineEntry {
  kind: TimelineKind;
  /** ISO time: the stream's timestamp for stream messages, the event's `at` for status events. */
  at: string;
  /** Stream sequence of the message this entry comes from (advisories: of the task message). */
  seq?: number;
  subject?: string;
  status?: TaskStatus;
  attempt?: number;
  worker?: string;
  error?: string;
  result?: unknown;
  note?: string;
  progress?: number;
  duration_ms?: number;
  started_at?: string;
  /** published: the task this one re-runs. retried-as: the new task's id. */
  retry_of?: string;
  retried_as?: string;
  /** advisory: 'max_deliveries' | 'terminated', with the delivery count. */
  reason?: string;
  deliveries?: number;
}

export interface TaskSummary {
  id: string;
  type: string;
  status: TaskStatus;
  priority: 'normal' | 'high';
  subject: string;
  /** Stream sequence of the task message (0 when only status events were seen). */
  seq: number;
  published_at: string;
  updated_at: string;
  attempts: number;
  worker?: string;
  last_error?: string;
  cancel_requested?: boolean;
  discarded?: boolean;
  retry_of?: string;
  retried_as?: string[];
  duration_ms?: number;
  /** A scheduled task: when it is due (ISO). */
  run_at?: string;
}

export interface TaskDetail extends TaskSummary {
  /** The task as published (absent when the message was not valid JSON or is no longer indexed). */
  task?: Task;
  result?: unknown;
  headers?: Record<string, string>;
  timeline: TimelineEntry[];
}

export type StatusCounts = Record<TaskStatus, number> & { total: number };

/** How far the task state is behind the TASKS stream, and who writes it. */
export interface IndexState {
  /** 'writer': this process folds TASKS into the state; 'reader': another one does. */
  role: 'writer' | 'reader';
  /** Last TASKS sequence the state includes. */
  indexed_seq: number;
  stream_last_seq: number;
  /** Messages in TASKS not yet in the state. */
  lag: number;
  /** Lagging and not moving for a while (or no writer alive): what you see may be old. */
  stale: boolean;
  /** Tasks in the live window (the list pages through these; any task is found by id). */
  window: number;
  window_from_seq: number;
  /** Start-up: the newest records are in, the rest of the window is still being read. */
  window_filling?: boolean;
  /** Feed consumers recreated after a stall, deletion or node loss. */
  recoveries: number;
  last_error?: string;
  /** Status events for ids no task record knows (forged or expired), not folded. */
  ignored_events: number;
  /** Stream messages this process has read for the state (start-up reads only the newest). */
  messages_read: number;
}

export interface TaskList {
  tasks: TaskSummary[];
  /** Cursor for the next (older) page; absent at the end of the live window. */
  next?: string;
  /** What the TASKS stream holds, whatever is indexed. */
  counts: StatusCounts;
  /** False until the live window is loaded (seconds at most, whatever the history). */
  ready: boolean;
  index?: IndexState;
}

export interface PublishResult {
  task: Task;
  seq: number;
  subject: string;
  /** The stream already had this id within the duplicate window: nothing new was stored. */
  duplicate: boolean;
}

export interface BulkProgress {
  jobId: string;
  total: number;
  sent: number;
  acked: number;
  failed: number;
  duplicates: number;
  /** Acks per second over the job so far. */
  ratePerSec: number;
  elapsedMs: number;
  state: 'running' | 'done' | 'cancelled' | 'error';
  error?: string;
  /** First few failures, for the UI. */
  errors?: string[];
}

export interface TopologyDiff {
  path: string;
  current: unknown;
  wanted: unknown;
  /** False when the server cannot change it in place (the stream or consumer must be recreated). */
  updatable: boolean;
}

export interface TopologyItem {
  kind: 'stream' | 'consumer';
  name: string;
  state: 'ok' | 'created' | 'differs' | 'error' | 'missing';
  diff: TopologyDiff[];
  error?: string;
}

/**
 * A TASKS setting that can lose accepted work: with `discard: old` a stream at its max_bytes /
 * max_msgs deletes its oldest messages, undelivered tasks included, while publishers are told
 * their tasks were stored; a per-subject limit does the same on each subject.
 */
export interface TopologyRisk {
  code: 'discard_old_limits' | 'per_subject_limit';
  /** What can happen, in a sentence, and what to change. */
  message: string;
  /** The stream settings involved, as the server reports them. */
  settings: Record<string, unknown>;
}

export interface TopologyReport {
  /** `at_risk`: as JetDeck wants it otherwise, but `risks` can drop undelivered tasks. */
  state: 'ok' | 'created' | 'differs' | 'at_risk' | 'error' | 'unknown';
  /** Every difference, paths prefixed with `stream.` or `consumer.<name>.`. */
  diff: TopologyDiff[];
  stream: TopologyItem;
  consumers: TopologyItem[];
  /** Settings of the stream that can delete tasks nobody has run yet. */
  risks: TopologyRisk[];
  /** Replicas JetDeck creates TASKS with (the user's choice, or the cluster default). */
  replicas: number;
  /** How that was chosen: `auto` = 3 on a cluster of 3 or more servers, else 1. */
  replicasChoice?: 'auto' | 'chosen';
  /** Placement tags JetDeck creates TASKS with. */
  placementTags?: string[];
  /** What the existing stream has (the operator's to change; never flagged). */
  streamReplicas?: number;
  placement?: { cluster?: string; tags?: string[] };
  checkedAt: string;
  error?: string;
}

export interface ApplyTopologyResult {
  report: TopologyReport;
  updated: string[];
  /** Differences that need the stream or consumer recreated, with why. */
  notApplied: { path: string; reason: string }[];
}

export interface DeadLetterAttempt {
  attempt: number;
  at: string;
  worker?: string;
  error?: string;
}

export interface DeadLetter {
  id: string;
  type: string;
  seq: number;
  task?: Task;
  reason: 'max_deliveries' | 'terminated' | 'failed';
  attempts: number;
  errors: DeadLetterAttempt[];
  last_error?: string;
  failed_at: string;
  retried_as?: string[];
  discarded?: boolean;
  /** Error fingerprint: dead letters with the same one form a group. */
  fingerprint: string;
}

export interface LaneStatus {
  consumer: string;
  filter?: string;
  exists: boolean;
  /** Backlog: messages not yet delivered. */
  num_pending: number;
  num_ack_pending: number;
  num_redelivered: number;
  num_waiting: number;
  delivered_seq: number;
  ack_floor_seq: number;
  last_active?: string;
  error?: string;
  /** Answering workers that consume this lane (absent when the fleet is unknown). */
  servedBy?: number;
}

export interface QueueStatus {
  lanes: LaneStatus[];
  /** Sum over lanes of pending + ack pending. */
  backlog: number;
  /** Completions per second over the last minute (from status events). */
  completionRatePerSec: number;
  /** Seconds until the backlog is drained at that rate; null when nothing completes or a lane has no worker. */
  timeToDrainSec: number | null;
  /** Lanes with tasks waiting and no answering worker consuming them. */
  unserved?: UnservedLane[];
  /** Why there is no time-to-drain, e.g. "no worker serves tasks.typed.resize". */
  drainNote?: string;
  stream?: { messages: number; bytes: number; first_seq: number; last_seq: number; consumers: number };
  at: string;
}

export const placementTagsSchema = z
  .array(
    z
      .string()
      .trim()
      .min(1, 'a placement tag is empty')
      .max(64)
      .regex(/^[A-Za-z0-9_.:=-]+$/, 'placement tags use letters, digits and _ . : = -'),
  )
  .max(16, 'at most 16 placement tags');

const idInput = z.strictObject({ id: taskIdSchema });
const none = z.strictObject({}).optional();

export const tasksMethods = {
  'tasks.topology': method(none).returns<TopologyReport>(),
  'tasks.applyTopology': method(
    z.strictObject({
      confirm: z.literal(true, { message: 'confirm: true is required to change the stream or consumers' }),
      /** Also changes the existing stream's replicas (and the choice for creating it). */
      replicas: z.number().int().min(1).max(5).optional(),
      /** Also changes the existing stream's placement tags; [] clears them. */
      placementTags: placementTagsSchema.optional(),
    }),
  ).returns<ApplyTopologyResult>(),
  'tasks.publish': method(publishInputSchema).returns<PublishResult>(),
  'tasks.publishBulk': method(bulkInputSchema).returns<{ jobId: string }>(),
  'tasks.cancelBulk': method(z.strictObject({ jobId: z.string().min(1).max(64) })).returns<BulkProgress>(),
  'tasks.list': method(listInputSchema).returns<TaskList>(),
  'tasks.get': method(idInput).returns<TaskDetail>(),
  'tasks.cancel': method(idInput).returns<TaskSummary>(),
  'tasks.retry': method(idInput).returns<PublishResult>(),
  'tasks.setStatus': method(idInput.extend({ status: z.enum(TASK_STATUSES) })).returns<{
    task: TaskSummary;
    retry?: PublishResult;
  }>(),
  'tasks.deadLetters.list': method(deadLetterFilterSchema.optional()).returns<{
    deadLetters: DeadLetter[];
  }>(),
  'tasks.deadLetters.retry': method(idInput).returns<PublishResult>(),
  'tasks.deadLetters.retryAll': method(
    deadLetterFilterSchema.omit({ includeResolved: true, fingerprint: true }).optional(),
  ).returns<{
    retried: PublishResult[];
    failed: { id: string; error: string }[];
  }>(),
  'tasks.deadLetters.discard': method(idInput).returns<{ discarded: boolean }>(),
  'tasks.queueStatus': method(none).returns<QueueStatus>(),
  'tasks.types': method(none).returns<{ types: string[] }>(),
};

export const tasksEvents = {
  /** Batched (about every 100 ms): ids whose state changed, and the counts after the change. */
  'tasks.changed': event<{
    ids: string[];
    counts: StatusCounts;
    ready: boolean;
    truncated?: boolean;
    index?: IndexState;
  }>(),
  'tasks.bulkProgress': event<BulkProgress>(),
  'tasks.topology': event<TopologyReport>(),
};
