import type {
  StatusCounts,
  TaskDetail,
  TaskList,
  TaskSummary,
  TimelineEntry,
} from '../../api/features/tasks';
import { SUBJECTS, TASK_STATUSES, type StatusEvent, type Task, type TaskStatus } from '../../api/task-wire';

/**
 * Keeps the newest DEFAULT_INDEX_CAP tasks in memory (≈ 1 KB each with a short timeline, so
 * ~250 MB at the cap). Older ones are evicted oldest-first; they remain in the stream for its
 * 7-day retention and can be read from there (Streams screen, message get by sequence).
 */
export const DEFAULT_INDEX_CAP = 250_000;
/** Per-task timeline cap: progress reports of a long task must not grow without bound. */
const TIMELINE_CAP = 200;

/** What the index keeps per task: the API's TaskDetail plus dead-letter bookkeeping. */
export interface IndexEntry extends TaskDetail {
  /** For dead letters: why it ended failed, and when. */
  dead_reason?: 'max_deliveries' | 'terminated' | 'failed';
  failed_at?: string;
}

/** One stream message as the index reads it. */
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

export interface FilterSpec {
  status?: TaskStatus;
  type?: string;
  q?: string;
}

const decoder = new TextDecoder();
const TASK_SUBJECTS = new Set<string>([SUBJECTS.new, SUBJECTS.high]);
const STATUS_PREFIX = 'tasks.status.';
const TYPED_PREFIX = 'tasks.typed.';

function emptyCounts(): StatusCounts {
  const c = { total: 0 } as StatusCounts;
  for (const s of TASK_STATUSES) c[s] = 0;
  return c;
}

/**
 * The task table built from the TASKS stream in stream order: task messages create entries,
 * status events and cancel requests update them and append to their timeline. Pure state (no
 * NATS), fed by TaskIndexFeed; listing is newest first by publish sequence with seq cursors.
 */
export class TaskIndex {
  private readonly byId = new Map<string, IndexEntry>();
  /** Entries ascending by seq; [head, length) are live (eviction advances head). */
  private order: IndexEntry[] = [];
  private head = 0;
  private readonly counts = emptyCounts();
  private readonly typeCounts = new Map<string, number>();
  lastSeq = 0;
  private readonly changed = new Set<string>();
  private completedTimes: number[] = [];
  /** Set once the history is replayed; live completions count for the drain rate only then. */
  live = false;

  constructor(readonly cap = DEFAULT_INDEX_CAP) {}

  get size(): number {
    return this.byId.size;
  }

  ingest(r: StreamRecord): void {
    if (r.seq <= this.lastSeq) return;
    this.lastSeq = r.seq;
    if (TASK_SUBJECTS.has(r.subject) || r.subject.startsWith(TYPED_PREFIX)) this.onTask(r);
    else if (r.subject.startsWith(STATUS_PREFIX)) this.onStatus(r);
    else if (r.subject === SUBJECTS.delete) this.onCancel(r);
  }

  get(id: string): IndexEntry | undefined {
    return this.byId.get(id);
  }

  /** Ids changed since the last call (for batched 'tasks.changed' events). */
  takeChanged(): string[] {
    const ids = [...this.changed];
    this.changed.clear();
    return ids;
  }

  statusCounts(): StatusCounts {
    return { ...this.counts };
  }

  types(): string[] {
    return [...this.typeCounts.keys()].filter((t) => t !== '(invalid)').sort();
  }

  /** Completions per second over the last 60 s (live only). */
  completionRate(now = Date.now()): number {
    const from = now - 60_000;
    let i = 0;
    while (i < this.completedTimes.length && this.completedTimes[i] < from) i++;
    if (i) this.completedTimes = this.completedTimes.slice(i);
    if (!this.completedTimes.length) return 0;
    const span = Math.max(1000, Math.min(60_000, now - this.completedTimes[0]));
    return (this.completedTimes.length * 1000) / span;
  }

  list(filter: FilterSpec, limit: number, cursor?: string): Omit<TaskList, 'ready'> {
    const before = cursor ? Number(cursor) : Infinity;
    const out: TaskSummary[] = [];
    let i = this.upperBound(before) - 1;
    let next: string | undefined;
    for (; i >= this.head; i--) {
      const e = this.order[i];
      if (!matches(e, filter)) continue;
      if (out.length === limit) {
        next = String(out[out.length - 1].seq);
        break;
      }
      out.push(summary(e));
    }
    return { tasks: out, next, counts: this.statusCounts() };
  }

  /** Entries matching `pred`, newest first (for dead letters). */
  select(pred: (e: IndexEntry) => boolean, limit = 10_000): IndexEntry[] {
    const out: IndexEntry[] = [];
    for (let i = this.order.length - 1; i >= this.head && out.length < limit; i--) {
      if (pred(this.order[i])) out.push(this.order[i]);
    }
    return out;
  }

  /** Adds a timeline entry that does not come from the stream (an advisory). */
  note(id: string, entry: TimelineEntry, patch: Partial<IndexEntry> = {}): void {
    const e = this.byId.get(id);
    if (!e) return;
    Object.assign(e, patch);
    pushTimeline(e, entry);
    this.changed.add(id);
  }

  idForSeq(seq: number): string | undefined {
    const i = this.upperBound(seq) - 1;
    const e = i >= this.head ? this.order[i] : undefined;
    return e && e.seq === seq ? e.id : undefined;
  }

  private onTask(r: StreamRecord): void {
    const text = decoder.decode(r.data);
    let task: Task | undefined;
    try {
      const v = JSON.parse(text) as Partial<Task> | null;
      if (v && typeof v === 'object' && typeof v.type === 'string') task = v as Task;
    } catch {
      /* invalid JSON: indexed under its Nats-Msg-Id or seq:<n>, as the worker reports it */
    }
    const id = (typeof task?.id === 'string' && task.id) || r.headers?.get('Nats-Msg-Id') || `seq:${r.seq}`;
    const existing = this.byId.get(id);
    if (existing && existing.subject) {
      pushTimeline(existing, {
        kind: 'published',
        at: r.time,
        seq: r.seq,
        subject: r.subject,
        note: 'published again with the same id',
      });
      this.changed.add(id);
      return;
    }
    const retryOf = typeof task?.metadata?.retry_of === 'string' ? task.metadata.retry_of : undefined;
    const e: IndexEntry = existing ?? this.create(id, task?.type ?? '(invalid)', r.seq, r.time);
    if (existing) {
      // Status events came first (task older than the index window): fill in the task now.
      this.retype(e, task?.type ?? '(invalid)');
    }
    e.subject = r.subject;
    e.seq ||= r.seq;
    e.published_at = r.time;
    e.task = task;
    e.priority = task?.priority === 'high' ? 'high' : 'normal';
    if (!task) e.last_error = 'message is not a valid task (JSON object with a type)';
    e.retry_of = retryOf;
    const headers = userHeaders(r.headers);
    if (headers) e.headers = headers;
    e.timeline.unshift({ kind: 'published', at: r.time, seq: r.seq, subject: r.subject, retry_of: retryOf });
    if (retryOf) {
      const old = this.byId.get(retryOf);
      if (old) {
        (old.retried_as ??= []).push(id);
        pushTimeline(old, { kind: 'retried-as', at: r.time, seq: r.seq, retried_as: id });
        this.changed.add(retryOf);
      }
    }
    this.changed.add(id);
  }

  private onStatus(r: StreamRecord): void {
    let ev: Partial<StatusEvent>;
    try {
      ev = JSON.parse(decoder.decode(r.data)) as Partial<StatusEvent>;
    } catch {
      return;
    }
    const status = r.subject.slice(STATUS_PREFIX.length) as TaskStatus;
    if (typeof ev?.id !== 'string' || !(TASK_STATUSES as readonly string[]).includes(status)) return;
    const e = this.byId.get(ev.id) ?? this.create(ev.id, '(unknown)', r.seq, r.time);
    const at = typeof ev.at === 'string' ? ev.at : r.time;
    const attempt = typeof ev.attempt === 'number' ? ev.attempt : undefined;
    pushTimeline(e, {
      kind: 'status',
      at,
      seq: r.seq,
      status,
      attempt,
      worker: ev.worker,
      error: ev.error,
      result: ev.result,
      note: ev.note,
      progress: ev.progress,
      duration_ms: ev.duration_ms,
      started_at: ev.started_at,
    });
    e.updated_at = at;
    if (ev.note === 'discarded') {
      e.discarded = true;
      this.changed.add(e.id);
      return;
    }
    if (attempt !== undefined && attempt > e.attempts) e.attempts = attempt;
    if (ev.worker) e.worker = ev.worker;
    if (ev.error) e.last_error = ev.error;
    if (ev.result !== undefined) e.result = ev.result;
    if (ev.duration_ms !== undefined) e.duration_ms = ev.duration_ms;
    // Completion is final: a late report of another state never demotes it.
    if (e.status !== 'completed') this.setStatus(e, status);
    if (status === 'failed') {
      e.dead_reason = ev.note === 'max_deliveries' ? 'max_deliveries' : 'terminated';
      e.failed_at = at;
    }
    if (status === 'completed' && this.live) this.completedTimes.push(Date.now());
    this.changed.add(e.id);
  }

  private onCancel(r: StreamRecord): void {
    let id: unknown;
    try {
      id = (JSON.parse(decoder.decode(r.data)) as { id?: unknown }).id;
    } catch {
      return;
    }
    const e = typeof id === 'string' ? this.byId.get(id) : undefined;
    if (!e) return;
    e.cancel_requested = true;
    pushTimeline(e, { kind: 'cancel-request', at: r.time, seq: r.seq });
    this.changed.add(e.id);
  }

  private create(id: string, type: string, seq: number, time: string): IndexEntry {
    const e: IndexEntry = {
      id,
      type,
      status: 'pending',
      priority: 'normal',
      subject: '',
      seq,
      published_at: time,
      updated_at: time,
      attempts: 0,
      timeline: [],
    };
    this.byId.set(id, e);
    this.order.push(e);
    this.counts.pending++;
    this.counts.total++;
    this.typeCounts.set(type, (this.typeCounts.get(type) ?? 0) + 1);
    if (this.byId.size > this.cap) this.evictOldest();
    return e;
  }

  private retype(e: IndexEntry, type: string): void {
    if (e.type === type) return;
    this.dropType(e.type);
    e.type = type;
    this.typeCounts.set(type, (this.typeCounts.get(type) ?? 0) + 1);
  }

  private dropType(type: string): void {
    const n = (this.typeCounts.get(type) ?? 1) - 1;
    if (n <= 0) this.typeCounts.delete(type);
    else this.typeCounts.set(type, n);
  }

  private setStatus(e: IndexEntry, s: TaskStatus): void {
    if (e.status === s) return;
    this.counts[e.status]--;
    this.counts[s]++;
    e.status = s;
  }

  private evictOldest(): void {
    const e = this.order[this.head];
    this.order[this.head] = undefined as unknown as IndexEntry;
    this.head++;
    this.byId.delete(e.id);
    this.counts[e.status]--;
    this.counts.total--;
    this.dropType(e.type);
    if (this.head > 65_536 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** First index whose seq is ≥ `seq` (binary search over the live part). */
  private upperBound(seq: number): number {
    let lo = this.head;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order[mid].seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function pushTimeline(e: IndexEntry, t: TimelineEntry): void {
  e.timeline.push(t);
  if (e.timeline.length > TIMELINE_CAP) e.timeline.splice(1, 1); // keep 'published' first
}

function matches(e: IndexEntry, f: FilterSpec): boolean {
  if (f.status && e.status !== f.status) return false;
  if (f.type && e.type !== f.type) return false;
  if (f.q && !e.id.includes(f.q)) return false;
  return true;
}

function userHeaders(h: HeaderLookup | undefined): Record<string, string> | undefined {
  if (!h) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const k of h.keys()) {
    if (/^nats-/i.test(k)) continue;
    out[k] = h.get(k);
    any = true;
  }
  return any ? out : undefined;
}

export function summary(e: IndexEntry): TaskSummary {
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
  return s;
}

export function detail(e: IndexEntry): TaskDetail {
  return {
    ...summary(e),
    task: e.task,
    result: e.result,
    headers: e.headers,
    timeline: e.timeline.map((t) => ({ ...t })),
  };
}
