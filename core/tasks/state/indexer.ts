import { randomUUID } from 'node:crypto';
import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { TimelineEntry } from '../../../api/features/tasks';
import type { KV } from '@nats-io/kv';
import { TASKS_STREAM } from '../../../api/task-wire';
import type { PubAckWindow } from '../pub-ack-window';
import {
  CHECKPOINT_KEY,
  LEASE_KEY,
  TASKS_BUCKET,
  deadSubject,
  taskKey,
  taskSubject,
  type Buckets,
} from './buckets';
import {
  foldCancel,
  foldRetriedAs,
  foldStatus,
  foldTask,
  parse,
  pushTimeline,
  type Parsed,
  type StreamRecord,
  type TaskRecord,
} from './record';
import { StreamTail, type TailHealth } from './tail';

/** A lease holder renews every LEASE_RENEW_MS; others take over once it is LEASE_MS old. */
const LEASE_MS = 15_000;
const LEASE_RENEW_MS = 3000;
/** Records kept in memory for folding without a KV read (clean ones are evicted first-in). */
export const DEFAULT_CACHE = 40_000;
const FETCH_BATCH = 2000;
const GET_CONCURRENCY = 64;

export interface Checkpoint {
  seq: number;
  at: string;
  owner: string;
}

interface Lease {
  owner: string;
  until: number;
}

export interface IndexerEvents {
  /** Records written in one flush (the leader's own live feed). */
  onRecords(recs: TaskRecord[]): void;
  onCheckpoint(cp: Checkpoint): void;
  /** Tasks that became completed in a batch (for the drain rate). */
  onCompleted(n: number): void;
  onRole(leader: boolean): void;
}

/**
 * Folds the TASKS stream into the `jetdeck_tasks` bucket. Every JetDeck process (app, serve)
 * runs one, but only the holder of the `m.lease` key writes: it tails TASKS from the stored
 * checkpoint + 1 (so a new leader resumes where the last one stopped, whatever produced the
 * messages: JetDeck, Go, the nats CLI), folds each batch into records, writes the changed ones
 * and then the checkpoint. A crash between the two replays the batch; folding is idempotent
 * (records carry the last sequence folded in).
 */
export class Indexer {
  readonly owner = randomUUID();
  private leader = false;
  private leaseRev = 0;
  private leaseTimer?: NodeJS.Timeout;
  private tail?: StreamTail;
  private stopped = false;
  /** LRU by insertion order: a touched record is moved to the end. */
  private readonly cache = new Map<string, TaskRecord>();
  private lastSeq = 0;
  /** TASKS messages folded by this process. */
  read = 0;
  /** Status and cancel events for ids no record knows (forged or long expired): not folded. */
  ignored = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly buckets: Buckets,
    private readonly publisher: PubAckWindow,
    private readonly events: IndexerEvents,
    private readonly cacheCap = DEFAULT_CACHE,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  get health(): TailHealth | undefined {
    return this.tail?.health;
  }

  /** Highest TASKS sequence folded and stored by this process (leader only). */
  get seq(): number {
    return this.lastSeq;
  }

  start(): void {
    this.ticking = this.leaseTick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.leaseTimer);
    // A tick in flight may be stepping up: let it finish, then step down and hand the lease back.
    await this.ticking;
    await this.stepDown(true);
  }

  // ---- lease

  private async leaseTick(): Promise<void> {
    if (this.stopped) return;
    try {
      const won = await this.tryLease();
      if (this.stopped) return;
      if (won && !this.leader) await this.stepUp();
      if (!won && this.leader) await this.stepDown();
    } catch (err) {
      // Cannot reach the bucket: keep writing only while our lease is surely still ours.
      if (this.leader && Date.now() > this.leaseExpiry - LEASE_RENEW_MS) await this.stepDown();
      void err;
    }
    if (!this.stopped) {
      this.leaseTimer = setTimeout(() => (this.ticking = this.leaseTick()), LEASE_RENEW_MS);
      this.leaseTimer.unref();
    }
  }

  private leaseExpiry = 0;
  private ticking?: Promise<void>;

  private async tryLease(): Promise<boolean> {
    const kv = this.buckets.tasks;
    const now = Date.now();
    const mine = JSON.stringify({ owner: this.owner, until: now + LEASE_MS } satisfies Lease);
    const cur = await kv.get(LEASE_KEY);
    if (!cur || cur.operation !== 'PUT') {
      this.leaseRev = cur ? await kv.update(LEASE_KEY, mine, cur.revision) : await kv.create(LEASE_KEY, mine);
    } else {
      const held = cur.json<Lease>();
      if (held.owner !== this.owner && held.until > now) {
        this.leaseRev = 0;
        return false;
      }
      this.leaseRev = await kv.update(LEASE_KEY, mine, cur.revision);
    }
    this.leaseExpiry = now + LEASE_MS;
    return true;
  }

  private async stepUp(): Promise<void> {
    const si = await this.jsm.streams.info(TASKS_STREAM);
    const cp = await readCheckpoint(this.buckets.tasks);
    this.lastSeq = Math.max(cp?.seq ?? 0, si.state.first_seq - 1);
    this.cache.clear();
    this.leader = true;
    this.events.onRole(true);
    this.tail = new StreamTail(this.js, this.jsm, {
      stream: TASKS_STREAM,
      startSeq: this.lastSeq + 1,
      batch: FETCH_BATCH,
      onBatch: (msgs) => this.onBatch(msgs),
    });
    this.tail.start();
  }

  private async stepDown(release = false): Promise<void> {
    const wasLeader = this.leader;
    this.leader = false;
    const t = this.tail;
    this.tail = undefined;
    await t?.stop();
    if (wasLeader) this.events.onRole(false);
    // Let another process take over at once (best effort: it expires anyway).
    if (release && this.leaseRev) {
      await this.buckets.tasks.delete(LEASE_KEY, { previousSeq: this.leaseRev }).catch(() => undefined);
      this.leaseRev = 0;
    }
  }

  /**
   * An advisory about a task (not a stream message): the writer adds it to the record's
   * timeline and stores it at once. Readers skip it: the writer hears the same advisory.
   */
  async note(id: string, entry: TimelineEntry, patch: Partial<TaskRecord> = {}): Promise<void> {
    if (!this.leader) return;
    const rec = this.touch(id) ?? (await getRecord(this.buckets.tasks, id));
    if (!rec) return;
    Object.assign(rec, patch);
    pushTimeline(rec, entry);
    this.keep(rec);
    await this.flush(new Map([[id, rec]]), new Set(rec.status === 'failed' ? [id] : []));
  }

  // ---- folding

  private async onBatch(msgs: JsMsg[]): Promise<void> {
    if (!this.leader) throw new Error('no longer the indexer');
    this.read += msgs.length;
    const items: { p: Exclude<Parsed, { kind: 'other' }>; r: StreamRecord }[] = [];
    const need = new Set<string>();
    /** Tasks published in this batch: their events need no read either. */
    const fresh = new Set<string>();
    for (const m of msgs) {
      const r: StreamRecord = {
        subject: m.subject,
        seq: m.seq,
        time: m.timestamp,
        data: m.data,
        headers: m.headers,
      };
      const p = parse(r);
      if (p.kind === 'other') continue;
      items.push({ p, r });
      // A new task needs no read: replaying it after a crash refolds the same later events.
      if (p.kind === 'task' && p.released) {
        // A released scheduled task updates the record its scheduled message made.
        if (!this.cache.has(p.id) && !fresh.has(p.id)) need.add(p.id);
      } else if (p.kind === 'task') {
        fresh.add(p.id);
        if (p.retryOf && !this.cache.has(p.retryOf) && !fresh.has(p.retryOf)) need.add(p.retryOf);
      } else if (!this.cache.has(p.id) && !fresh.has(p.id)) need.add(p.id);
    }
    const loaded = await this.load([...need]);
    const dirty = new Map<string, TaskRecord>();
    const dead = new Set<string>();
    let completed = 0;
    for (const { p, r } of items) {
      if (p.kind === 'task') {
        const before = this.touch(p.id) ?? loaded.get(p.id);
        const rec = foldTask(before, p, r);
        this.keep(rec);
        dirty.set(rec.id, rec);
        if (p.retryOf) {
          const old = this.touch(p.retryOf) ?? loaded.get(p.retryOf);
          if (old && foldRetriedAs(old, rec.id, r)) {
            this.keep(old);
            dirty.set(old.id, old);
            if (old.status === 'failed') dead.add(old.id);
          }
        }
        continue;
      }
      const rec = this.touch(p.id) ?? loaded.get(p.id);
      if (!rec) {
        this.ignored++;
        continue;
      }
      const was = rec.status;
      const changed = p.kind === 'status' ? foldStatus(rec, p, r) : foldCancel(rec, r);
      if (!changed) continue;
      if (rec.status === 'completed' && was !== 'completed') completed++;
      this.keep(rec);
      dirty.set(rec.id, rec);
      if (rec.status === 'failed') dead.add(rec.id);
    }
    await this.flush(dirty, dead);
    if (completed) this.events.onCompleted(completed);
    this.lastSeq = msgs[msgs.length - 1].seq;
    const cp: Checkpoint = { seq: this.lastSeq, at: new Date().toISOString(), owner: this.owner };
    await this.put(`$KV.${TASKS_BUCKET}.${CHECKPOINT_KEY}`, JSON.stringify(cp));
    this.events.onCheckpoint(cp);
    this.evict();
  }

  private async flush(dirty: Map<string, TaskRecord>, dead: Set<string>): Promise<void> {
    const acks: Promise<void>[] = [];
    for (const rec of dirty.values()) {
      const data = JSON.stringify(rec);
      acks.push(this.put(taskSubject(rec.id), data));
      if (dead.has(rec.id)) acks.push(this.put(deadSubject(rec.id), data));
    }
    await Promise.all(acks);
    this.events.onRecords([...dirty.values()]);
  }

  private async put(subject: string, data: string): Promise<void> {
    const r = await this.publisher.publish({ subject, data }, 30_000);
    if (!r.ok) throw new Error(`index write failed: ${r.error}`);
  }

  /** Records for ids not in memory, read from the bucket (absent ids are left out). */
  private async load(ids: string[]): Promise<Map<string, TaskRecord>> {
    const out = new Map<string, TaskRecord>();
    let i = 0;
    const worker = async () => {
      while (i < ids.length) {
        const id = ids[i++];
        const rec = await getRecord(this.buckets.tasks, id);
        if (rec) out.set(id, rec);
      }
    };
    await Promise.all(Array.from({ length: Math.min(GET_CONCURRENCY, ids.length) }, worker));
    return out;
  }

  private touch(id: string): TaskRecord | undefined {
    const rec = this.cache.get(id);
    if (rec) {
      this.cache.delete(id);
      this.cache.set(id, rec);
    }
    return rec;
  }

  private keep(rec: TaskRecord): void {
    this.cache.delete(rec.id);
    this.cache.set(rec.id, rec);
  }

  private evict(): void {
    let over = this.cache.size - this.cacheCap;
    if (over <= 0) return;
    for (const id of this.cache.keys()) {
      if (over-- <= 0) break;
      this.cache.delete(id);
    }
  }
}

export async function getRecord(kv: KV, id: string): Promise<TaskRecord | undefined> {
  const e = await kv.get(taskKey(id));
  if (!e || e.operation !== 'PUT' || !e.value.length) return undefined;
  return e.json<TaskRecord>();
}

export async function readCheckpoint(kv: KV): Promise<Checkpoint | undefined> {
  const e = await kv.get(CHECKPOINT_KEY);
  if (!e || e.operation !== 'PUT' || !e.value.length) return undefined;
  return e.json<Checkpoint>();
}
