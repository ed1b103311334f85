import type { TaskList, TaskSummary } from '../../../api/features/tasks';
import type { TaskStatus } from '../../../api/task-wire';
import { isFullRecord, mergeRecord, summary, type StateRecord, type TaskRecord } from './record';

export interface FilterSpec {
  status?: TaskStatus;
  type?: string;
  q?: string;
}

/** Newest tasks the live table pages through (≈ 1 KB each). */
export const DEFAULT_WINDOW = 10_000;
/** State parts held for tasks whose task part is not read yet. */
const ORPHANS_CAP = 2000;

/**
 * The newest tasks by publish sequence, for the live table: bounded (the oldest fall out; they
 * stay in the KV bucket and are found by id), fed by the indexer or by the bucket's updates.
 */
export class TaskWindow {
  private readonly byId = new Map<string, TaskRecord>();
  /** Ascending by seq. */
  private order: TaskRecord[] = [];
  private readonly changed = new Set<string>();
  /**
   * State parts read before their task part (a reader's start-up reads the newest bucket
   * messages first, then the older ones), merged when it comes. Bounded: the oldest go first.
   */
  private readonly orphans = new Map<string, StateRecord>();

  constructor(readonly cap = DEFAULT_WINDOW) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): TaskRecord | undefined {
    return this.byId.get(id);
  }

  /**
   * Adds or replaces a record (a newer revision of the same task). A state part alone updates
   * the task the window holds; for a task it does not hold, it waits (bounded) for its task part.
   */
  apply(part: TaskRecord | StateRecord): void {
    let rec: TaskRecord;
    const old = this.byId.get(part.id);
    if (!isFullRecord(part)) {
      if (!old) return this.orphan(part);
      if (old.lseq > part.lseq) return;
      rec = mergeRecord(old, part);
    } else rec = this.adopt(part);
    if (old) {
      if (old.lseq > rec.lseq) return;
      const i = this.indexOf(old);
      if (i >= 0 && old.seq === rec.seq) this.order[i] = rec;
      else {
        if (i >= 0) this.order.splice(i, 1);
        this.insert(rec);
      }
    } else {
      if (this.full && rec.seq < this.order[0].seq) return; // older than the window
      this.insert(rec);
    }
    this.byId.set(rec.id, rec);
    this.changed.add(rec.id);
    // Trim in steps (splice is O(n)): the window holds cap to 1.1 × cap records.
    if (this.order.length > this.cap * 1.1) {
      for (const e of this.order.splice(0, this.order.length - this.cap)) this.byId.delete(e.id);
    }
  }

  /**
   * Records read behind the newest ones (the start-up fill, in bucket order): known ids go
   * through apply(), new ones are merged into the order in one pass instead of one splice each.
   */
  applyOlder(recs: (TaskRecord | StateRecord)[]): void {
    const add = new Map<string, TaskRecord>();
    for (const part of recs) {
      const a = add.get(part.id);
      if (this.byId.has(part.id) || (!a && !isFullRecord(part))) this.apply(part);
      else if (!isFullRecord(part)) {
        if (a!.lseq <= part.lseq) add.set(part.id, mergeRecord(a!, part));
      } else {
        const rec = this.adopt(part);
        if ((a?.lseq ?? -1) <= rec.lseq) add.set(rec.id, rec);
      }
    }
    if (!add.size) return;
    const older = [...add.values()].sort((a, b) => a.seq - b.seq);
    const merged: TaskRecord[] = [];
    let i = 0;
    let j = 0;
    while (i < older.length || j < this.order.length) {
      if (j >= this.order.length || (i < older.length && older[i].seq < this.order[j].seq))
        merged.push(older[i++]);
      else merged.push(this.order[j++]);
    }
    for (const rec of older) {
      this.byId.set(rec.id, rec);
      this.changed.add(rec.id);
    }
    this.order = merged;
    if (this.order.length > this.cap * 1.1) {
      for (const e of this.order.splice(0, this.order.length - this.cap)) {
        this.byId.delete(e.id);
        this.changed.delete(e.id);
      }
    }
  }

  private get full(): boolean {
    return this.order.length >= this.cap;
  }

  /** A task part with the state part that came before it, if any. */
  private adopt(rec: TaskRecord): TaskRecord {
    const s = this.orphans.get(rec.id);
    if (!s) return rec;
    this.orphans.delete(rec.id);
    return mergeRecord(rec, s);
  }

  private orphan(s: StateRecord): void {
    // A task older than a full window has no use for it (the writer's backlog, mostly).
    if (this.full && s.seq < this.order[0].seq) return;
    const had = this.orphans.get(s.id);
    if (had && had.lseq > s.lseq) return;
    this.orphans.delete(s.id);
    this.orphans.set(s.id, s);
    if (this.orphans.size > ORPHANS_CAP) this.orphans.delete(this.orphans.keys().next().value!);
  }

  takeChanged(): string[] {
    const ids = [...this.changed];
    this.changed.clear();
    return ids;
  }

  types(): string[] {
    const t = new Set<string>();
    for (const e of this.order) if (e.type !== '(invalid)') t.add(e.type);
    return [...t].sort();
  }

  /** Oldest publish sequence the window holds (0 when empty). */
  get fromSeq(): number {
    return this.order[0]?.seq ?? 0;
  }

  list(filter: FilterSpec, limit: number, cursor?: string): Pick<TaskList, 'tasks' | 'next'> {
    const before = cursor ? Number(cursor) : Infinity;
    const out: TaskSummary[] = [];
    let next: string | undefined;
    for (let i = this.lowerBound(before) - 1; i >= 0; i--) {
      const e = this.order[i];
      if (!matches(e, filter)) continue;
      if (out.length === limit) {
        next = String(out[out.length - 1].seq);
        break;
      }
      out.push(summary(e));
    }
    return { tasks: out, next };
  }

  private insert(rec: TaskRecord): void {
    const n = this.order.length;
    if (!n || this.order[n - 1].seq <= rec.seq) this.order.push(rec);
    else this.order.splice(this.lowerBound(rec.seq), 0, rec);
  }

  private indexOf(rec: TaskRecord): number {
    for (let i = this.lowerBound(rec.seq); i < this.order.length && this.order[i].seq === rec.seq; i++)
      if (this.order[i].id === rec.id) return i;
    return this.order.lastIndexOf(rec);
  }

  /** First index whose seq is ≥ `seq`. */
  private lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order[mid].seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function matches(e: TaskRecord, f: FilterSpec): boolean {
  if (f.status && e.status !== f.status) return false;
  if (f.type && e.type !== f.type) return false;
  if (f.q && !e.id.includes(f.q)) return false;
  return true;
}
