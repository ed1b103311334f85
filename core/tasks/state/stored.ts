import type { TimelineEntry } from '../../../api/features/tasks';
import { mergeRecord, type StateRecord, type TaskRecord } from './record';

/**
 * How records are stored in the bucket: JSON, less what a reader can derive from what is
 * written. Writing is most of the state's cost per task (the writer's serialisation and socket,
 * the server's store: both grow with the bytes), and a task part or state part repeats itself:
 * a new task's `updated_at` is its `published_at` and its one timeline entry says where it was
 * published; a state part's `updated_at`, `lseq`, `worker`, `result`… are those of its last
 * timeline entry. Each field left out is named by a bit of `_c`, so reading back is exact and
 * needs no guess (a field absent without its bit was absent). Records without `_c` (written
 * before, or by the dead-letter path, which writes whole records) read as they are.
 */
const C = {
  /** `status` is 'scheduled' with a `run_at`, else 'pending' (a task part as first written). */
  status: 1,
  priority: 2,
  /** `updated_at` = `published_at`. */
  updatedPublished: 4,
  attempts: 8,
  /** `lseq` = `seq`. */
  lseqSeq: 16,
  /** `timeline` is the `published` entry alone, from published_at, seq, subject and retry_of. */
  timeline: 32,
  /** These equal the last timeline entry's at, seq, worker, result, duration_ms, error. */
  updatedLast: 64,
  lseqLast: 128,
  worker: 256,
  result: 512,
  duration: 1024,
  error: 2048,
} as const;

type Loose = Record<string, unknown>;

/** The JSON stored for a record (whole, under `t.`) or a state part (under `s.`). */
export function storedJson(rec: TaskRecord | StateRecord): string {
  const r = rec as unknown as Loose;
  let c = 0;
  const whole = typeof r.type === 'string';
  const t = rec as TaskRecord;
  if (whole) {
    if (t.status === (t.run_at !== undefined ? 'scheduled' : 'pending')) c |= C.status;
    if (t.priority === 'normal') c |= C.priority;
    if (t.updated_at === t.published_at) c |= C.updatedPublished;
    if (t.attempts === 0) c |= C.attempts;
    if (isPublishedOnly(t)) c |= C.timeline;
  }
  if (rec.lseq === rec.seq) c |= C.lseqSeq;
  const last = c & C.timeline ? undefined : rec.timeline[rec.timeline.length - 1];
  if (last) {
    if (!(c & C.updatedPublished) && rec.updated_at === last.at) c |= C.updatedLast;
    if (!(c & C.lseqSeq) && rec.lseq === last.seq) c |= C.lseqLast;
    if (rec.worker !== undefined && rec.worker === last.worker) c |= C.worker;
    if (rec.result !== undefined && rec.result === last.result) c |= C.result;
    if (rec.duration_ms !== undefined && rec.duration_ms === last.duration_ms) c |= C.duration;
    if (rec.last_error !== undefined && rec.last_error === last.error) c |= C.error;
  }
  if (!c) return JSON.stringify(rec);
  const out: Loose = {};
  for (const k in r) {
    const bit = SKIP[k];
    if (bit === undefined || !(c & bit)) out[k] = r[k];
  }
  out._c = c;
  return JSON.stringify(out);
}

/** Fields left out, by the bits that leave them out. */
const SKIP: Record<string, number | undefined> = Object.assign(Object.create(null) as object, {
  status: C.status,
  priority: C.priority,
  updated_at: C.updatedPublished | C.updatedLast,
  attempts: C.attempts,
  lseq: C.lseqSeq | C.lseqLast,
  timeline: C.timeline,
  worker: C.worker,
  result: C.result,
  duration_ms: C.duration,
  last_error: C.error,
});

function isPublishedOnly(t: TaskRecord): boolean {
  if (t.timeline.length !== 1) return false;
  const e = t.timeline[0];
  for (const k in e) if (!PUBLISHED_KEYS.has(k) && (e as unknown as Loose)[k] !== undefined) return false;
  return (
    e.kind === 'published' &&
    e.at === t.published_at &&
    e.seq === t.seq &&
    e.subject === t.subject &&
    e.retry_of === t.retry_of
  );
}

const PUBLISHED_KEYS = new Set(['kind', 'at', 'seq', 'subject', 'retry_of']);

/** A record or state part as stored, with what was left out put back (in place). */
export function expand<T extends TaskRecord | StateRecord>(stored: T): T {
  const r = stored as unknown as Loose & { _c?: unknown };
  const c = r._c;
  if (typeof c !== 'number') return stored;
  delete r._c;
  const t = stored as TaskRecord;
  if (c & C.status) t.status = t.run_at !== undefined ? 'scheduled' : 'pending';
  if (c & C.priority) t.priority = 'normal';
  if (c & C.updatedPublished) t.updated_at = t.published_at;
  if (c & C.attempts) t.attempts = 0;
  if (c & C.lseqSeq) t.lseq = t.seq;
  if (c & C.timeline) {
    const e: TimelineEntry = { kind: 'published', at: t.published_at, seq: t.seq, subject: t.subject };
    if (t.retry_of !== undefined) e.retry_of = t.retry_of;
    t.timeline = [e];
  }
  const last = t.timeline?.[t.timeline.length - 1];
  if (last) {
    if (c & C.updatedLast) t.updated_at = last.at;
    if (c & C.lseqLast) t.lseq = last.seq!;
    if (c & C.worker) t.worker = last.worker;
    if (c & C.result) t.result = last.result;
    if (c & C.duration) t.duration_ms = last.duration_ms;
    if (c & C.error) t.last_error = last.error;
  }
  return stored;
}

/** A stored record or state part from its JSON. */
export function readStored<T extends TaskRecord | StateRecord>(json: string): T {
  return expand(JSON.parse(json) as T);
}

/**
 * A record is a JSON object; a KV delete or purge marker has no body (its KV-Operation header
 * says which). Deciding by the body decodes no headers per message.
 */
export function isRecordData(data: Uint8Array): boolean {
  return data.length > 0 && data[0] === 0x7b;
}

/**
 * A task's record from the stored bytes of its two keys, whichever way they were read (direct
 * get, KV get): the task part merged with the state part. No task part (absent, deleted or
 * purged): no task, whatever the state part.
 */
export function recordFromParts(
  task: Uint8Array | undefined,
  state: Uint8Array | undefined,
): TaskRecord | undefined {
  if (!task || !isRecordData(task)) return undefined;
  const s = state && isRecordData(state) ? readStored<StateRecord>(decoder.decode(state)) : undefined;
  return mergeRecord(readStored<TaskRecord>(decoder.decode(task)), s);
}

const decoder = new TextDecoder();
