import type { TaskDetail, TaskSummary, TimelineEntry } from '../../../api/features/tasks';
import {
  SCHEDULE_HEADERS,
  isScheduledSubject,
  SUBJECTS,
  TASK_STATUSES,
  taskSchema,
  type StatusEvent,
  type Task,
  type TaskStatus,
} from '../../../api/task-wire';

/**
 * One task's state as the indexer folds it from the TASKS stream and stores it in the
 * `jetdeck_tasks` KV bucket (key = task id). Pure functions, no NATS.
 */
export interface TaskRecord extends TaskDetail {
  /** For dead letters: why it ended failed, and when. */
  dead_reason?: 'max_deliveries' | 'terminated' | 'failed';
  failed_at?: string;
  /** Last TASKS sequence folded into this record: replaying a message is a no-op. */
  lseq: number;
  /** The task body was too large to keep in the record: read it from the stream at `seq`. */
  task_in_stream?: boolean;
}

/**
 * The state part of a record, stored under `s.<id>` (the task part stays under `t.<id>`, written
 * once): what status events, cancels, discards and retries change, with the timeline entries
 * after the first (`published`, in the task part). `seq` is the sequence the task's events
 * refer to (its lane message once released); `subject` is there only when a release moved it.
 * In the writer's memory a record may be only this part (no `type`): see isFullRecord.
 */
export interface StateRecord {
  id: string;
  status: TaskStatus;
  attempts: number;
  updated_at: string;
  lseq: number;
  seq: number;
  timeline: TimelineEntry[];
  subject?: string;
  worker?: string;
  last_error?: string;
  result?: unknown;
  duration_ms?: number;
  dead_reason?: TaskRecord['dead_reason'];
  failed_at?: string;
  cancel_requested?: boolean;
  discarded?: boolean;
  retried_as?: string[];
}

/** The optional state fields, copied (or cleared) as a whole when parts merge. */
const STATE_OPTIONAL = [
  'worker',
  'last_error',
  'result',
  'duration_ms',
  'dead_reason',
  'failed_at',
  'cancel_requested',
  'discarded',
  'retried_as',
] as const;

/** A whole record (task part present), not only its state part. */
export function isFullRecord(r: TaskRecord | StateRecord): r is TaskRecord {
  return typeof (r as Partial<TaskRecord>).type === 'string';
}

/** What `s.<id>` holds for a record (whole or state part). */
export function statePart(r: TaskRecord | StateRecord): StateRecord {
  const first = r.timeline[0];
  const whole = isFullRecord(r);
  const s: StateRecord = {
    id: r.id,
    status: r.status,
    attempts: r.attempts,
    updated_at: r.updated_at,
    lseq: r.lseq,
    seq: r.seq,
    timeline: whole && first?.kind === 'published' ? r.timeline.slice(1) : r.timeline,
  };
  const subject = whole ? (r.subject !== first?.subject ? r.subject : undefined) : r.subject;
  if (subject !== undefined) s.subject = subject;
  for (const k of STATE_OPTIONAL) if (r[k] !== undefined) (s as unknown as Record<string, unknown>)[k] = r[k];
  return s;
}

/**
 * A whole record from its task part and its state part. A state part folded less far than the
 * task part (`lseq` below it) belongs to an older task published under the same id: the task
 * part stands alone then (as it does when it was written whole, state included, and no state
 * part followed: the format before the split, or a task and its events folded in one batch).
 */
export function mergeRecord(t: TaskRecord, s: StateRecord | undefined): TaskRecord {
  if (!s || s.lseq < t.lseq) return t;
  const out: TaskRecord = {
    ...t,
    status: s.status,
    attempts: s.attempts,
    updated_at: s.updated_at,
    lseq: s.lseq,
    seq: s.seq,
    subject: s.subject ?? t.subject,
    timeline: [t.timeline[0], ...s.timeline.slice(-(TIMELINE_CAP - 1))],
  };
  const o = out as unknown as Record<string, unknown>;
  for (const k of STATE_OPTIONAL) {
    if (s[k] !== undefined) o[k] = s[k];
    else delete o[k];
  }
  return out;
}

/**
 * The state of a task whose message this writer folded (at `seq`) and for which nothing was
 * stored since: the state part is known without reading anything.
 */
export function initialState(id: string, seq: number, at: string): StateRecord {
  return { id, status: 'pending', attempts: 0, updated_at: at, lseq: seq, seq, timeline: [] };
}

/** One stream message as the fold reads it. */
export interface StreamRecord {
  subject: string;
  seq: number;
  /** ISO time the stream stored it. */
  time: string;
  data: Uint8Array;
  /** Header lookup (Nats-Msg-Id and user headers); NATS MsgHdrs fits. */
  headers?: HeaderLookup;
}

export interface HeaderLookup {
  get(name: string): string;
  keys(): string[];
}

/** Per-record timeline cap: stored records stay small (the stream keeps every event). */
export const TIMELINE_CAP = 24;
/** Bodies and results above this many JSON characters stay in the stream only. */
const INLINE_CAP = 2048;

const decoder = new TextDecoder();
const STATUS_PREFIX = 'tasks.status.';
const TYPED_PREFIX = 'tasks.typed.';
const TASK_ID = /^[A-Za-z0-9_.:-]{1,200}$/;
const TASK_TYPE = /^[A-Za-z0-9_-]{1,128}$/;
const PLAIN_KEYS = new Set(['id', 'type', 'payload', 'created_at', 'priority', 'max_attempts', 'run_at']);

/** The common task shape checked by hand (zod costs µs per message); else taskSchema decides. */
function plainTask(v: unknown): Task | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const t = v as Record<string, unknown>;
  for (const k in t) if (!PLAIN_KEYS.has(k)) return undefined;
  if (typeof t.id !== 'string' || !TASK_ID.test(t.id)) return undefined;
  if (typeof t.type !== 'string' || !TASK_TYPE.test(t.type)) return undefined;
  if (typeof t.created_at !== 'string' || !('payload' in t)) return undefined;
  if (t.priority !== undefined && t.priority !== 'normal' && t.priority !== 'high') return undefined;
  const m = t.max_attempts;
  if (m !== undefined && !(typeof m === 'number' && Number.isInteger(m) && m >= 1 && m <= 100))
    return undefined;
  if (t.run_at !== undefined && typeof t.run_at !== 'string') return undefined;
  return t as Task;
}

export type Parsed =
  | {
      kind: 'task';
      id: string;
      task?: Task;
      retryOf?: string;
      /** On tasks.scheduled: waiting until `run_at`. */
      scheduled?: boolean;
      /** On a lane: released from the scheduled lane (its record exists already). */
      released?: boolean;
    }
  | { kind: 'status'; id: string; status: TaskStatus; ev: Partial<StatusEvent> }
  | { kind: 'cancel'; id: string }
  /** `tasks.delete {id, discard: true}`: a dead letter discarded. */
  | { kind: 'discard'; id: string }
  | { kind: 'other' };

export function isTaskSubject(subject: string): boolean {
  return subject === SUBJECTS.new || subject === SUBJECTS.high || subject.startsWith(TYPED_PREFIX);
}

/**
 * Reads a TASKS message. A task's id is the one the worker reports it under: the JSON id when
 * the message is a valid task, else its Nats-Msg-Id, else `seq:<n>` — so an invalid task makes
 * one entry, not a phantom `pending` one beside the worker's `failed` one.
 */
export function parse(r: StreamRecord): Parsed {
  const scheduled = isScheduledSubject(r.subject);
  if (scheduled || isTaskSubject(r.subject)) {
    let task: Task | undefined;
    try {
      const v = JSON.parse(decoder.decode(r.data)) as unknown;
      task = plainTask(v);
      if (!task) {
        const p = taskSchema.safeParse(v);
        if (p.success) task = p.data;
      }
    } catch {
      /* not JSON: failed by the worker under its Nats-Msg-Id */
    }
    const id = task?.id ?? (r.headers?.get('Nats-Msg-Id') || `seq:${r.seq}`);
    const retryOf = typeof task?.metadata?.retry_of === 'string' ? task.metadata.retry_of : undefined;
    if (scheduled) return { kind: 'task', id, task, retryOf, scheduled };
    const released = releasedHeader(r.headers);
    return released ? { kind: 'task', id, task, retryOf, released } : { kind: 'task', id, task, retryOf };
  }
  if (r.subject.startsWith(STATUS_PREFIX)) {
    const status = r.subject.slice(STATUS_PREFIX.length) as TaskStatus;
    if (!(TASK_STATUSES as readonly string[]).includes(status)) return { kind: 'other' };
    try {
      const ev = JSON.parse(decoder.decode(r.data)) as Partial<StatusEvent> | null;
      if (ev && typeof ev.id === 'string') return { kind: 'status', id: ev.id, status, ev };
    } catch {
      /* unreadable event: nothing to fold */
    }
    return { kind: 'other' };
  }
  if (r.subject === SUBJECTS.delete) {
    try {
      const body = JSON.parse(decoder.decode(r.data)) as { id?: unknown; discard?: unknown } | null;
      const id = body?.id;
      if (typeof id === 'string')
        return body?.discard === true ? { kind: 'discard', id } : { kind: 'cancel', id };
    } catch {
      /* ignore */
    }
  }
  return { kind: 'other' };
}

/** A task message: a new record, or a note on the existing one (published again). */
export function foldTask<R extends TaskRecord | StateRecord>(
  rec: R | undefined,
  p: Extract<Parsed, { kind: 'task' }>,
  r: StreamRecord,
): R | TaskRecord {
  if (rec) {
    if (r.seq <= rec.lseq) return rec;
    rec.lseq = r.seq;
    if (p.released && rec.subject !== undefined && isScheduledSubject(rec.subject)) {
      // Due: it now waits in its lane like any task (a cancel that came first keeps it cancelled).
      pushTimeline(rec, {
        kind: 'published',
        at: r.time,
        seq: r.seq,
        subject: r.subject,
        note: 'released: due',
      });
      rec.subject = r.subject;
      rec.seq = r.seq;
      rec.updated_at = r.time;
      if (rec.status === 'scheduled') rec.status = 'pending';
      return rec;
    }
    pushTimeline(rec, {
      kind: 'published',
      at: r.time,
      seq: r.seq,
      subject: r.subject,
      note: 'published again with the same id',
    });
    return rec;
  }
  const { task } = p;
  const out: TaskRecord = {
    id: p.id,
    type: task?.type ?? '(invalid)',
    status: p.scheduled ? 'scheduled' : 'pending',
    priority: task?.priority === 'high' ? 'high' : 'normal',
    subject: r.subject,
    seq: r.seq,
    published_at: r.time,
    updated_at: r.time,
    attempts: 0,
    timeline: [{ kind: 'published', at: r.time, seq: r.seq, subject: r.subject, retry_of: p.retryOf }],
    lseq: r.seq,
  };
  if (task) {
    // The message's own size bounds the task's JSON: most tasks need no second serialisation.
    if (r.data.length <= INLINE_CAP || jsonLength(task) <= INLINE_CAP) out.task = task;
    else out.task_in_stream = true;
  } else out.last_error = 'message is not a valid task (JSON object with a type)';
  if (p.retryOf) out.retry_of = p.retryOf;
  if (p.scheduled) out.run_at = typeof task?.run_at === 'string' ? task.run_at : r.time;
  const headers = userHeaders(r.headers);
  if (headers) out.headers = headers;
  return out;
}

/** The old task of a retry learns its new id. */
export function foldRetriedAs(old: TaskRecord | StateRecord, newId: string, r: StreamRecord): boolean {
  if (old.retried_as?.includes(newId)) return false;
  (old.retried_as ??= []).push(newId);
  pushTimeline(old, { kind: 'retried-as', at: r.time, seq: r.seq, retried_as: newId });
  return true;
}

/** A status event for a known task. Returns false when it changed nothing (replayed). */
export function foldStatus(
  rec: TaskRecord | StateRecord,
  p: Extract<Parsed, { kind: 'status' }>,
  r: StreamRecord,
): boolean {
  if (r.seq <= rec.lseq) return false;
  rec.lseq = r.seq;
  const { ev, status } = p;
  const at = typeof ev.at === 'string' ? ev.at : r.time;
  const attempt = typeof ev.attempt === 'number' ? ev.attempt : undefined;
  const result = r.data.length <= INLINE_CAP ? ev.result : inline(ev.result);
  // Only the fields the event has: an entry with a dozen undefined keys costs its stringify and its GC.
  const entry: TimelineEntry = { kind: 'status', at, seq: r.seq, status };
  if (attempt !== undefined) entry.attempt = attempt;
  if (ev.worker !== undefined) entry.worker = ev.worker;
  if (ev.error !== undefined) entry.error = ev.error;
  if (result !== undefined) entry.result = result;
  if (ev.note !== undefined) entry.note = ev.note;
  if (ev.progress !== undefined) entry.progress = ev.progress;
  if (ev.duration_ms !== undefined) entry.duration_ms = ev.duration_ms;
  if (ev.started_at !== undefined) entry.started_at = ev.started_at;
  pushTimeline(rec, entry);
  rec.updated_at = at;
  // Discards written before they had their own message (a cancelled event with this note).
  if (ev.note === 'discarded') {
    rec.discarded = true;
    return true;
  }
  if (attempt !== undefined && attempt > rec.attempts) rec.attempts = attempt;
  if (ev.worker) rec.worker = ev.worker;
  if (ev.error) rec.last_error = ev.error;
  if (ev.result !== undefined) rec.result = result;
  if (ev.duration_ms !== undefined) rec.duration_ms = ev.duration_ms;
  // Completion is final: a late report of another state never demotes it.
  if (rec.status !== 'completed') rec.status = status;
  if (status === 'failed' && rec.status === 'failed') {
    rec.dead_reason = ev.note === 'max_deliveries' ? 'max_deliveries' : 'terminated';
    rec.failed_at = at;
  }
  return true;
}

export function foldCancel(rec: TaskRecord | StateRecord, r: StreamRecord): boolean {
  if (r.seq <= rec.lseq) return false;
  rec.lseq = r.seq;
  rec.cancel_requested = true;
  pushTimeline(rec, { kind: 'cancel-request', at: r.time, seq: r.seq });
  // Not released yet: every releaser drops a task it has seen a cancel request for, so it is
  // cancelled now (no worker will report it).
  if (rec.status === 'scheduled') {
    rec.status = 'cancelled';
    rec.updated_at = r.time;
  }
  return true;
}

/** A dead letter discarded: it keeps its state (failed) and leaves the default dead-letter list. */
export function foldDiscard(rec: TaskRecord | StateRecord, r: StreamRecord): boolean {
  if (r.seq <= rec.lseq) return false;
  rec.lseq = r.seq;
  rec.discarded = true;
  rec.updated_at = r.time;
  pushTimeline(rec, { kind: 'discarded', at: r.time, seq: r.seq });
  return true;
}

/** A dead letter: failed, and (unless asked) neither retried nor discarded. */
export function isDead(e: TaskRecord, includeResolved = false): boolean {
  if (e.status !== 'failed') return false;
  return includeResolved || !(e.discarded || e.retried_as?.length);
}

function inline(v: unknown): unknown {
  if (v === undefined) return undefined;
  const n = jsonLength(v);
  return n <= INLINE_CAP ? v : { truncated: true, json_chars: Number.isFinite(n) ? n : undefined };
}

/** JSON length; Infinity for a value another client nested too deep to serialize (stack overflow). */
function jsonLength(v: unknown): number {
  try {
    return JSON.stringify(v)?.length ?? 0;
  } catch {
    return Infinity;
  }
}

export function pushTimeline(e: TaskRecord | StateRecord, t: TimelineEntry): void {
  e.timeline.push(t);
  // Keep 'published' first (a state part has no 'published' entry: one fewer kept).
  if (e.timeline[0]?.kind === 'published') {
    if (e.timeline.length > TIMELINE_CAP) e.timeline.splice(1, 1);
  } else if (e.timeline.length > TIMELINE_CAP - 1) e.timeline.splice(0, 1);
}

/**
 * Released by JetDeck (its header) or by the server's native scheduler (Nats-Scheduler), with
 * a value. The keys are listed once and `get` asked only for those present: each `get` of
 * nats.js's MsgHdrs lists and filters every key, and most task messages carry Nats-Msg-Id alone.
 */
function releasedHeader(h: HeaderLookup | undefined): boolean {
  if (!h) return false;
  const keys = h.keys();
  const has = (k: string) => keys.includes(k) && !!h.get(k);
  return has(SCHEDULE_HEADERS.releasedFrom) || has('Nats-Scheduler');
}

function userHeaders(h: HeaderLookup | undefined): Record<string, string> | undefined {
  if (!h) return undefined;
  const keys = h.keys();
  if (keys.every((k) => NATS_HEADER.test(k))) return undefined;
  const out: Record<string, string> = {};
  for (const k of keys) if (!NATS_HEADER.test(k)) out[k] = h.get(k);
  return out;
}

const NATS_HEADER = /^nats-/i;

export function summary(e: TaskRecord): TaskSummary {
  const s: TaskSummary = {
    id: e.id,
    type: e.type,
    status: e.status,
    priority: e.priority,
    subject: e.subject,
    seq: e.seq,
    published_at: e.published_at,
    updated_at: e.updated_at,
    attempts: e.attempts,
  };
  if (e.worker) s.worker = e.worker;
  if (e.last_error) s.last_error = e.last_error;
  if (e.cancel_requested) s.cancel_requested = true;
  if (e.discarded) s.discarded = true;
  if (e.retry_of) s.retry_of = e.retry_of;
  if (e.retried_as) s.retried_as = [...e.retried_as];
  if (e.duration_ms !== undefined) s.duration_ms = e.duration_ms;
  if (e.run_at) s.run_at = e.run_at;
  return s;
}

export function detail(e: TaskRecord): TaskDetail {
  return {
    ...summary(e),
    task: e.task,
    result: e.result,
    headers: e.headers,
    timeline: e.timeline.map((t) => ({ ...t })),
  };
}
