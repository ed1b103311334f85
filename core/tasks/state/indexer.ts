import { randomUUID } from 'node:crypto';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { TimelineEntry } from '../../../api/features/tasks';
import type { KV } from '@nats-io/kv';
import { TASKS_STREAM } from '../../../api/task-wire';
import type { AckResult, OutMsg, PubAckWindow } from '../pub-ack-window';
import {
  CHECKPOINT_KEY,
  LEASE_KEY,
  TASKS_BUCKET,
  deadSubject,
  stateKey,
  stateSubject,
  taskKey,
  kvStream,
  taskSubject,
  type Buckets,
} from './buckets';
import {
  foldCancel,
  initialState,
  isFullRecord,
  mergeRecord,
  statePart,
  foldDiscard,
  foldRetriedAs,
  foldStatus,
  foldTask,
  parse,
  pushTimeline,
  type Parsed,
  type StateRecord,
  type StreamRecord,
  type TaskRecord,
} from './record';
import { DirectGets } from './direct-get';
import { readStored, recordFromParts, storedJson } from './stored';
import { Mark, SeqMarks } from './seq-marks';
import { StreamTail, type TailHealth, type TailMsg } from './tail';

/** A lease holder renews every LEASE_RENEW_MS; others take over once it is LEASE_MS old. */
const LEASE_MS = 15_000;
const LEASE_RENEW_MS = 3000;
/**
 * Records kept in memory (as JSON) for folding without a KV read, least recently written out
 * first. Small on purpose: under a backlog the events of a task come long after its message
 * whatever the cap (SeqMarks, not the cache, spares their read), so it serves the events of one
 * task that follow each other (processing, then completed; retries); and every cached record
 * is old-space garbage once evicted (RSS grows with the cap: 40k ≈ +100 MB under a flow).
 */
export const DEFAULT_CACHE = 2000;
/**
 * TASKS messages per pull and per fold (fewer when fewer are waiting). Each batch costs a fence,
 * a checkpoint and a pull on both sides; with the messages let go before the writes wait, a
 * bigger batch no longer costs the GC more (fold-only, 200k: 500 → 1000 −3 µs per task).
 */
const FETCH_BATCH = 1000;
const WRITE_GIVE_UP_MS = 30_000;
const CHECKPOINT_SUBJECT = `$KV.${TASKS_BUCKET}.${CHECKPOINT_KEY}`;

export interface Checkpoint {
  seq: number;
  at: string;
  owner: string;
}

interface Lease {
  owner: string;
  until: number;
}

/** A record as the writer folds it: whole, or only its state part (its task part not read). */
type Work = TaskRecord | StateRecord;

export interface IndexerEvents {
  /** Records written in one flush (the leader's own live feed): whole, or state parts. */
  onRecords(recs: Work[]): void;
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
  private gets?: DirectGets;
  private stopped = false;
  /**
   * Records as last written (JSON: whole, or the state part), for folding without a KV read.
   * LRU by insertion order: a written record moves to the end. Strings, not objects: one
   * object per record to collect.
   */
  private readonly cache = new Map<string, string>();
  /** Which task messages this writer folded have only their task part stored (see SeqMarks). */
  private marks?: SeqMarks;
  private lastSeq = 0;
  /**
   * Bucket sequence of this writer's last checkpoint (0: none yet). Known, it lets a batch's
   * records go out without a PubAck each: the next checkpoint's sequence says how many
   * messages the bucket stored in between (see onBatch).
   */
  private cpSeq = 0;
  /** That checkpoint as written. */
  private cpJson?: string;
  /** TASKS messages folded by this process. */
  read = 0;
  /** Status and cancel events for ids no record knows (forged or long expired): not folded. */
  ignored = 0;
  /** Records read back from the bucket to fold into (not in memory, state not implied). */
  readBack = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly buckets: Buckets,
    private readonly publisher: PubAckWindow,
    private readonly events: IndexerEvents,
    private readonly cacheCap = DEFAULT_CACHE,
    private readonly marksCap?: number,
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
    this.marks = new SeqMarks(this.lastSeq + 1, this.marksCap);
    this.cpSeq = 0;
    this.cpJson = undefined;
    this.gets = new DirectGets(this.publisher.connection, this.js, kvStream(TASKS_BUCKET));
    this.leader = true;
    this.events.onRole(true);
    this.tail = new StreamTail(this.publisher.connection, this.js, this.jsm, {
      stream: TASKS_STREAM,
      startSeq: this.lastSeq + 1,
      batch: FETCH_BATCH,
      onBatch: (msgs) => this.exclusive(() => this.onBatch(msgs)),
    });
    this.tail.start();
  }

  private async stepDown(release = false): Promise<void> {
    const wasLeader = this.leader;
    this.leader = false;
    const t = this.tail;
    this.tail = undefined;
    await t?.stop();
    this.gets?.close();
    this.gets = undefined;
    this.marks = undefined;
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
  note(id: string, entry: TimelineEntry, patch: Partial<TaskRecord> = {}): Promise<void> {
    return this.exclusive(() => this.noteNow(id, entry, patch));
  }

  /**
   * Batches and notes one at a time: a note that reads its record while a batch folds the same
   * task would otherwise write over the batch's state, or the batch over the note.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private turn: Promise<void> = Promise.resolve();

  private async noteNow(id: string, entry: TimelineEntry, patch: Partial<TaskRecord>): Promise<void> {
    if (!this.leader) return;
    const cached = this.cached(id);
    let rec = cached && isFullRecord(cached) ? cached : (await this.load([id])).get(id);
    if (!rec) return;
    // The cached state part may be newer than what the read found (written without PubAck).
    if (cached && !isFullRecord(cached)) rec = mergeRecord(rec, cached);
    Object.assign(rec, patch);
    pushTimeline(rec, entry);
    try {
      await this.flush(new Map([[id, rec]]), new Set(rec.status === 'failed' ? [id] : []), new Set());
    } catch (err) {
      this.cache.delete(id); // not stored: the next fold reads the stored one
      throw err;
    }
  }

  // ---- folding

  private async onBatch(msgs: TailMsg[]): Promise<void> {
    if (!this.leader) throw new Error('no longer the indexer');
    const marks = this.marks!;
    this.read += msgs.length;
    const seq = msgs[msgs.length - 1].seq;
    // Folded in its own frame, and the messages let go: nothing of the batch but its records
    // outlives it while the writes wait for the server (what survives two scavenges is copied
    // to the old space, and collected there at a higher price).
    const { dirty, dead, created, completed } = await this.fold(msgs, marks);
    msgs.length = 0;
    await this.wholeForDead(dirty, dead);
    const cp: Checkpoint = { seq, at: new Date().toISOString(), owner: this.owner };
    try {
      // The records without a PubAck each, then the previous checkpoint again with one (a fence):
      // a connection's messages reach the bucket in order, so the fence's sequence counts what
      // was stored in between. Fewer stored than sent (a disconnect dropped some, the server
      // refused one): the batch fails before its checkpoint is written, and is read again from
      // the bucket (its cached copies were never stored).
      const prev = this.cpSeq;
      const sent = await this.flush(dirty, dead, created, prev > 0 && this.cpJson !== undefined);
      dirty.clear();
      if (sent) {
        const fence = await this.write([{ subject: CHECKPOINT_SUBJECT, data: this.cpJson! }]);
        if (fence - prev - 1 < sent)
          throw new Error(`index writes lost: ${sent} sent, ${Math.max(0, fence - prev - 1)} stored`);
      }
      const data = JSON.stringify(cp);
      this.cpSeq = await this.write([{ subject: CHECKPOINT_SUBJECT, data }]);
      this.cpJson = data;
    } catch (err) {
      this.cpSeq = 0;
      this.cache.clear();
      marks.forget();
      throw err;
    }
    if (completed) this.events.onCompleted(completed);
    this.lastSeq = seq;
    this.events.onCheckpoint(cp);
    this.evict();
  }

  /** A batch's messages folded into the records it changes (read from memory or the bucket). */
  private async fold(
    msgs: TailMsg[],
    marks: SeqMarks,
  ): Promise<{ dirty: Map<string, Work>; dead: Set<string>; created: Set<string>; completed: number }> {
    const items: { p: Exclude<Parsed, { kind: 'other' }>; r: StreamRecord }[] = [];
    /** Records read from the bucket (task part and state part merged). */
    const need = new Set<string>();
    /** Tasks published in this batch: their events need no read either. */
    const fresh = new Set<string>();
    /** States known without a read: the task message was folded here and nothing stored since. */
    const known = new Map<string, StateRecord>();
    for (const r of msgs) {
      marks.advance(r.seq);
      const p = parse(r);
      if (p.kind === 'other') continue;
      items.push({ p, r });
      if (p.kind === 'task' && p.released) {
        // A released scheduled task updates the record its scheduled message made: whole.
        if (!fresh.has(p.id)) need.add(p.id);
      } else if (p.kind === 'task') {
        // A new task needs no read: replaying it after a crash refolds the same later events.
        fresh.add(p.id);
        if (p.retryOf && !this.cache.has(p.retryOf) && !fresh.has(p.retryOf)) need.add(p.retryOf);
      } else if (!this.cache.has(p.id) && !fresh.has(p.id) && !known.has(p.id)) {
        const taskSeq = p.kind === 'status' ? p.ev.seq : undefined;
        if (typeof taskSeq === 'number' && marks.get(taskSeq, p.id) === Mark.TaskOnly)
          // Its `updated_at` is the event's (set by the fold): no stream time needed here.
          known.set(p.id, initialState(p.id, taskSeq, ''));
        else need.add(p.id);
      }
    }
    const loaded = await this.load([...need]);
    /** Records this batch works on, each read once (from memory or the bucket). */
    const work = new Map<string, Work>();
    const find = (id: string, whole = false): Work | undefined => {
      let rec = work.get(id) ?? this.cached(id) ?? loaded.get(id) ?? known.get(id);
      if (rec && whole && !isFullRecord(rec)) {
        const t = loaded.get(id);
        rec = t && mergeRecord(t, rec);
      }
      if (rec) work.set(id, rec);
      return rec;
    };
    const dirty = new Map<string, Work>();
    /** Records whose task part this batch writes (the message folded here): written whole. */
    const created = new Set<string>();
    const dead = new Set<string>();
    let completed = 0;
    for (const { p, r } of items) {
      if (p.kind === 'task') {
        const before = find(p.id, p.released);
        const rec = foldTask(before, p, r);
        if (!before) created.add(rec.id);
        work.set(rec.id, rec);
        dirty.set(rec.id, rec);
        if (p.retryOf) {
          const old = find(p.retryOf);
          if (old && foldRetriedAs(old, rec.id, r)) {
            dirty.set(old.id, old);
            if (old.status === 'failed') dead.add(old.id);
          }
        }
        continue;
      }
      const rec = find(p.id);
      if (!rec) {
        this.ignored++;
        continue;
      }
      const was = rec.status;
      const changed =
        p.kind === 'status'
          ? foldStatus(rec, p, r)
          : p.kind === 'discard'
            ? foldDiscard(rec, r)
            : foldCancel(rec, r);
      if (!changed) continue;
      if (rec.status === 'completed' && was !== 'completed') completed++;
      dirty.set(rec.id, rec);
      if (rec.status === 'failed') dead.add(rec.id);
    }
    return { dirty, dead, created, completed };
  }

  /**
   * Dead letters are whole records: a failed one folded from its state part alone gets its task
   * part read (failures are few). One whose task part is gone writes no dead letter.
   */
  private async wholeForDead(dirty: Map<string, Work>, dead: Set<string>): Promise<void> {
    const parts = [...dead].filter((id) => !isFullRecord(dirty.get(id)!));
    if (!parts.length) return;
    const tasks = await this.load(parts, true);
    for (const id of parts) {
      const t = tasks.get(id);
      if (t) dirty.set(id, mergeRecord(t, dirty.get(id) as StateRecord));
      else dead.delete(id);
    }
  }

  /**
   * Writes the records and keeps what was written as the cached copy (newest last): a record
   * whose task message this batch folded (`created`) whole under `t.<id>`, any other its state
   * part under `s.<id>`. With `unacked`, they go out without waiting for PubAcks (dead letters
   * always wait for theirs); returns how many went out so.
   */
  private async flush(
    dirty: Map<string, Work>,
    dead: Set<string>,
    created: Set<string>,
    unacked = false,
  ): Promise<number> {
    const out: OutMsg[] = [];
    let sent = 0;
    const nc = this.publisher.connection;
    const marks = this.marks;
    for (const rec of dirty.values()) {
      const whole = created.has(rec.id);
      // A record folded from its state part alone is one already (no copy).
      const data = storedJson(whole || !isFullRecord(rec) ? rec : statePart(rec));
      const subject = whole ? taskSubject(rec.id) : stateSubject(rec.id);
      // Bytes from Node's pooled buffers: nats.js would encode a string with TextEncoder, a
      // fresh ArrayBuffer per record for the GC to track.
      const bytes = Buffer.from(data);
      if (unacked) {
        nc.publish(subject, bytes);
        sent++;
      } else out.push({ subject, data: bytes });
      // Dead letters are few: whole records, as they are, for any reader of that bucket.
      if (dead.has(rec.id)) out.push({ subject: deadSubject(rec.id), data: JSON.stringify(rec) });
      // Only a pending task part (nothing folded past its message) leaves the state implied.
      const pure = whole && rec.status === 'pending' && rec.lseq === rec.seq;
      marks?.set(rec.seq, rec.id, pure ? Mark.TaskOnly : Mark.Stored);
      this.cache.delete(rec.id);
      this.cache.set(rec.id, data);
    }
    await this.write(out);
    this.events.onRecords([...dirty.values()]);
    return sent;
  }

  /**
   * Pipelined writes (one callback each, no promise per message); rejects if any failed, else
   * resolves with the last message's stream sequence.
   */
  private async write(msgs: OutMsg[]): Promise<number> {
    if (!msgs.length) return 0;
    let left = msgs.length;
    let failed: string | undefined;
    let lastSeq = 0;
    let settle!: () => void;
    const all = new Promise<void>((resolve) => (settle = resolve));
    const done = (r: AckResult) => {
      if (!r.ok) failed ??= r.error;
      else lastSeq = Math.max(lastSeq, r.seq);
      if (--left === 0) settle();
    };
    for (const m of msgs) {
      const room = this.publisher.ready();
      if (room) await room;
      this.publisher.send(m, done, WRITE_GIVE_UP_MS);
    }
    await all;
    if (failed) throw new Error(`index write failed: ${failed}`);
    return lastSeq;
  }

  /**
   * Records for ids not in memory, read from the bucket at once: both parts, merged (or with
   * `taskOnly`, the task part alone). Absent ids are left out.
   */
  private async load(ids: string[], taskOnly = false): Promise<Map<string, TaskRecord>> {
    const out = new Map<string, TaskRecord>();
    const gets = this.gets;
    this.readBack += ids.length;
    await Promise.all(
      ids.map(async (id) => {
        const [t, st] = gets
          ? await Promise.all([gets.get(taskSubject(id)), taskOnly ? null : gets.get(stateSubject(id))])
          : [undefined, undefined];
        // No usable answer: the KV client asks again and throws the real error, if any.
        const rec =
          t === undefined || st === undefined
            ? await getRecord(this.buckets.tasks, id)
            : recordFromParts(t?.data, st?.data);
        if (rec) out.set(id, rec);
      }),
    );
    return out;
  }

  /** A fresh copy of the cached record (the cache holds JSON: a tenth of the objects to collect). */
  private cached(id: string): Work | undefined {
    const json = this.cache.get(id);
    return json === undefined ? undefined : readStored<Work>(json);
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

/** A task's record through the KV client: its task part, merged with its state part if any. */
export async function getRecord(kv: KV, id: string): Promise<TaskRecord | undefined> {
  const [t, s] = await Promise.all([kv.get(taskKey(id)), kv.get(stateKey(id))]);
  return recordFromParts(t?.value, s?.value);
}

export async function readCheckpoint(kv: KV): Promise<Checkpoint | undefined> {
  const e = await kv.get(CHECKPOINT_KEY);
  if (!e || e.operation !== 'PUT' || !e.value.length) return undefined;
  return e.json<Checkpoint>();
}
