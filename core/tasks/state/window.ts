import type { TaskList, TaskSummary } from '../../../api/features/tasks';
import type { TaskStatus } from '../../../api/task-wire';
import { summary, type TaskRecord } from './record';

export interface FilterSpec {
  status?: TaskStatus;
  type?: string;
  q?: string;
}

/** Newest tasks the live table pages through (≈ 1 KB each). */
export const DEFAULT_WINDOW = 10_000;

/**
 * The newest tasks by publish sequence, for the live table: bounded (the oldest fall out; they
 * stay in the KV bucket and are found by id), fed by the indexer or by the bucket's updates.
 */
export class TaskWindow {
  private readonly byId = new Map<string, TaskRecord>();
  /** Ascending by seq. */
  private order: TaskRecord[] = [];
  private readonly changed = new Set<string>();

  constructor(readonly cap = DEFAULT_WINDOW) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): TaskRecord | undefined {
    return this.byId.get(id);
  }

  /** Adds or replaces a record (a newer revision of the same task). */
  apply(rec: TaskRecord): void {
    const old = this.byId.get(rec.id);
    if (old) {
      if (old.lseq > rec.lseq) return;
      const i = this.indexOf(old);
      if (i >= 0 && old.seq === rec.seq) this.order[i] = rec;
      else {
        if (i >= 0) this.order.splice(i, 1);
        this.insert(rec);
      }
    } else {
      if (this.order.length >= this.cap && rec.seq < this.order[0].seq) return; // older than the window
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
  applyOlder(recs: TaskRecord[]): void {
    const add = new Map<string, TaskRecord>();
    for (const rec of recs) {
      if (this.byId.has(rec.id)) this.apply(rec);
      else if ((add.get(rec.id)?.lseq ?? -1) <= rec.lseq) add.set(rec.id, rec);
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
