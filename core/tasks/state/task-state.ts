import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { IndexState, StatusCounts, TaskDetail, TimelineEntry } from '../../../api/features/tasks';
import { TASKS_STREAM, TASK_STATUSES, type Task } from '../../../api/task-wire';
import type { PubAckWindow } from '../pub-ack-window';
import {
  CHECKPOINT_KEY,
  DEAD_BUCKET,
  RECORD_FILTER,
  TASKS_BUCKET,
  kvStream,
  openBuckets,
  type Buckets,
} from './buckets';
import { reusedLaneNumbers, streamCounts, type StreamCounts } from './counts';
import { consumerInfoReuseMs } from '../../../nats/server-quirks';
import { readUntilCaughtUp } from '../../../nats/kv-bucket';
import { idOfKey } from './keys';
import { Indexer, readCheckpoint, type Checkpoint } from './indexer';
import { RecordLookup } from './lookup';
import { detail, isDead, type StateRecord, type TaskRecord } from './record';
import { expand, isRecordData } from './stored';
import { StreamTail, type TailHealth, type TailMsg } from './tail';
import { TaskWindow } from './window';

const FLUSH_MS = 100;
const LOAD_GIVE_UP_MS = 10_000;
/** Bucket messages read before the task list is ready: its first pages (the rest fills behind). */
const HEAD = 1000;
const COUNTS_MS = 1000;
const MAX_IDS_PER_EVENT = 1000;
const TASK_PREFIX = `$KV.${TASKS_BUCKET}.t.`;
const STATE_PREFIX = `$KV.${TASKS_BUCKET}.s.`;
const MAX_DEAD_LETTERS = 10_000;
const DEAD_PREFIX = `$KV.${DEAD_BUCKET}.`;
/** Index this far behind the stream for this long (or no indexer alive) = stale. */
const STALE_AFTER_MS = 10_000;

export interface ChangedPayload {
  ids: string[];
  counts: StatusCounts;
  ready: boolean;
  truncated?: boolean;
  index: IndexState;
}

export interface TaskStateOptions {
  windowCap?: number;
  cacheCap?: number;
}

/**
 * Task state for one connection, served from JetStream rather than from a replay of history:
 * records by id from the `jetdeck_tasks` bucket (one direct get), counts from the TASKS
 * stream's subject totals, the live table from a bounded window of the newest records, dead
 * letters from the `jetdeck_dead` bucket. The Indexer (one writer at a time, by lease) keeps
 * the buckets up with the stream; this process reads its updates (or, as the writer, its own
 * records), and says how far behind the stream they are.
 */
export class TaskState {
  readonly window: TaskWindow;
  private buckets?: Buckets;
  private lookup?: RecordLookup;
  private indexer?: Indexer;
  private kvTail?: StreamTail;
  /** The lanes' consumer numbers for the counts, reused for a while on some servers. */
  private lanes?: ReturnType<typeof reusedLaneNumbers>;
  /** Reads the older part of the window after start-up (see loadWindow). */
  private fillTail?: StreamTail;
  private filling?: Promise<void>;
  /** Ends the start-up reads' waits when the state stops. */
  private readonly releases = new Set<() => void>();
  private flushTimer?: NodeJS.Timeout;
  private countsTimer?: NodeJS.Timeout;
  private latest?: StreamCounts;
  private readonly rate = new CompletionRate();
  private checkpoint?: Checkpoint;
  private checkpointSeenAt = 0;
  private isReady = false;
  /** Bucket messages read (window load and follow). */
  private read = 0;
  private stopped = false;
  private waiters: { seq: number; resolve: (ok: boolean) => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly publisher: PubAckWindow,
    private readonly onChanged: (p: ChangedPayload) => void,
    private readonly opts: TaskStateOptions = {},
  ) {
    this.window = new TaskWindow(opts.windowCap);
  }

  get ready(): boolean {
    return this.isReady;
  }

  async start(): Promise<void> {
    // Nothing here reads history. The counts come from TASKS alone; the checkpoint and the
    // newest records need the buckets, then go out together.
    const counts = this.refreshCounts().catch(() => undefined);
    const buckets = (this.buckets = await openBuckets(this.js, this.jsm));
    // Not fatal: the bucket's feed (or the indexer) brings the next one.
    const checkpoint = readCheckpoint(buckets.tasks).then(
      (cp) => {
        // The window's feed may have seen a newer checkpoint meanwhile.
        if (cp && cp.seq > (this.checkpoint?.seq ?? -1)) this.setCheckpoint(cp);
      },
      () => undefined,
    );
    await Promise.all([checkpoint, this.loadWindow(buckets), counts]);
    if (this.stopped) return;
    this.indexer = new Indexer(
      this.js,
      this.jsm,
      this.buckets,
      this.publisher,
      {
        onRecords: (recs) => {
          for (const r of recs) this.window.apply(r);
        },
        onCompleted: (n) => this.rate.add(n),
        onCheckpoint: (cp) => this.setCheckpoint(cp),
        onRole: (leader) => void this.onRole(leader),
      },
      this.opts.cacheCap,
    );
    this.indexer.start();
    this.flushTimer = setInterval(() => this.flush(), FLUSH_MS);
    this.flushTimer.unref();
    this.countsTimer = setInterval(() => void this.refreshCounts().catch(() => undefined), COUNTS_MS);
    this.countsTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.flushTimer);
    clearInterval(this.countsTimer);
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    for (const release of [...this.releases]) release();
    await Promise.all([this.indexer?.stop(), this.kvTail?.stop(), this.fillTail?.stop()]);
  }

  /** Records an advisory on the task's timeline (by the writer; readers ignore it). */
  note(id: string, entry: TimelineEntry, patch: Partial<TaskRecord> = {}): Promise<void> {
    return this.indexer?.note(id, entry, patch) ?? Promise.resolve();
  }

  // ---- reads

  /** A task by id: the live window first, else its record in the bucket (any task retained). */
  async get(id: string): Promise<TaskRecord | undefined> {
    const rec = this.window.get(id) ?? (await this.lookup?.get(id));
    if (rec?.task_in_stream && !rec.task) rec.task = await this.taskFromStream(rec.seq);
    return rec;
  }

  async detail(id: string): Promise<TaskDetail | undefined> {
    const rec = await this.get(id);
    return rec && detail(rec);
  }

  counts(): StatusCounts {
    if (this.latest) return { ...this.latest.counts };
    const c = { total: 0 } as StatusCounts;
    for (const s of TASK_STATUSES) c[s] = 0;
    return c;
  }

  /** Completions per second over the last minute, since they began. */
  completionRate(): number {
    return this.rate.perSecond();
  }

  index(): IndexState {
    const lastSeq = this.latest?.lastSeq ?? 0;
    const cpSeq = this.indexer?.isLeader ? this.indexer.seq : (this.checkpoint?.seq ?? 0);
    const lag = Math.max(0, lastSeq - cpSeq);
    const quietFor = Date.now() - this.checkpointSeenAt;
    const health = this.indexer?.health;
    return {
      role: this.indexer?.isLeader ? 'writer' : 'reader',
      indexed_seq: cpSeq,
      stream_last_seq: lastSeq,
      lag,
      stale: lag > 0 && quietFor > STALE_AFTER_MS,
      window: this.window.size,
      window_from_seq: this.window.fromSeq,
      ...(this.filling ? { window_filling: true } : {}),
      recoveries: (health?.recoveries ?? 0) + (this.kvTail?.health.recoveries ?? 0),
      last_error: health?.lastError ?? this.kvTail?.health.lastError,
      ignored_events: this.indexer?.ignored ?? 0,
      messages_read: this.read + (this.indexer?.read ?? 0),
    };
  }

  /** Every dead letter in the `jetdeck_dead` bucket (newest failure first). */
  async deadLetters(): Promise<TaskRecord[]> {
    const recs = new Map<string, TaskRecord>();
    // Every message, not last-per-subject (see readUntilCaughtUp); in stream order, so the last
    // one read of an id is its newest, and a delete marker read after its record removes it.
    const c = await this.js.consumers.get(kvStream(DEAD_BUCKET), { deliver_policy: DeliverPolicy.All });
    let read = 0;
    try {
      await readUntilCaughtUp(c, (m) => {
        const marker = !m.data.length || !!m.headers?.get('KV-Operation');
        const rec = marker ? undefined : expand(m.json<TaskRecord>());
        const id = rec?.id ?? idOfKey(m.subject.slice(DEAD_PREFIX.length));
        if (rec) recs.set(id, rec);
        else recs.delete(id);
        return ++read < MAX_DEAD_LETTERS;
      });
    } finally {
      await c.delete().catch(() => false);
    }
    // The window may hold a newer revision (just retried or discarded).
    for (const [id, rec] of recs) {
      const w = this.window.get(id);
      if (w && w.lseq > rec.lseq) recs.set(id, w);
    }
    return [...recs.values()]
      .filter((r) => isDead(r, true))
      .sort((a, b) => (b.failed_at ?? b.updated_at).localeCompare(a.failed_at ?? a.updated_at));
  }

  /** Records the writer read back from the bucket to fold into (0 when not the writer). */
  get readBack(): number {
    return this.indexer?.readBack ?? 0;
  }

  /** Resolves true once the state includes TASKS sequence `seq` (read-your-writes), false on timeout. */
  waitForSeq(seq: number, timeoutMs: number): Promise<boolean> {
    if (this.indexedSeq() >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = {
        seq,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  // ---- internals

  private indexedSeq(): number {
    return this.indexer?.isLeader ? this.indexer.seq : (this.checkpoint?.seq ?? 0);
  }

  private setCheckpoint(cp: Checkpoint | undefined): void {
    if (!cp) return;
    if (!this.checkpoint || cp.seq !== this.checkpoint.seq) this.checkpointSeenAt = Date.now();
    this.checkpoint = cp;
    if (this.waiters.length) {
      const seen = this.indexedSeq();
      this.waiters = this.waiters.filter((w) => {
        if (w.seq > seen) return true;
        clearTimeout(w.timer);
        w.resolve(true);
        return false;
      });
    }
  }

  /**
   * The newest records, then ready; a reader keeps following. Only the newest HEAD bucket
   * messages are read before ready (the first pages of the table); the rest of the window is
   * read behind them, and a page that needs it waits for it (`windowFilled`).
   */
  private async loadWindow(buckets: Buckets): Promise<void> {
    const stream = kvStream(TASKS_BUCKET);
    const si = await this.jsm.streams.info(stream);
    this.lookup = new RecordLookup(this.jsm, buckets.tasks, si.config);
    const target = si.state.last_seq;
    if (target === 0 || si.state.messages === 0) {
      this.markReady();
      this.followBucket(target + 1);
      return;
    }
    const from = Math.max(si.state.first_seq, target - Math.ceil(this.window.cap * 1.5) + 1);
    const headFrom = Math.max(from, target - HEAD + 1);
    await this.readUntil(target, (resolve) => {
      this.kvTail = new StreamTail(this.publisher.connection, this.js, this.jsm, {
        stream,
        filter: RECORD_FILTER,
        startSeq: headFrom,
        batch: 2000,
        onBatch: async (msgs) => this.onBucketMsgs(msgs),
        onHealth: resolve,
      });
      return this.kvTail;
    });
    // Behind the first pages, not beside them: they share the CPU.
    if (headFrom > from && !this.stopped) this.filling = this.fill(from, headFrom - 1);
    this.markReady();
  }

  /** The window is still reading its older part (start-up). */
  get windowFilling(): boolean {
    return this.filling !== undefined;
  }

  /** Resolves once the window holds what the bucket held at start (at once if it was small). */
  windowFilled(): Promise<void> {
    return this.filling ?? Promise.resolve();
  }

  /** Bucket messages from..to into the window, behind the newest ones; this tail then ends. */
  private async fill(from: number, to: number): Promise<void> {
    await this.readUntil(to, (resolve) => {
      this.fillTail = new StreamTail(this.publisher.connection, this.js, this.jsm, {
        stream: kvStream(TASKS_BUCKET),
        filter: RECORD_FILTER,
        startSeq: from,
        batch: 2000,
        onBatch: async (msgs) => {
          this.read += msgs.length;
          this.window.applyOlder(records(msgs.filter((m) => m.seq <= to)));
        },
        onHealth: resolve,
      });
      return this.fillTail;
    });
    const t = this.fillTail;
    this.fillTail = undefined;
    this.filling = undefined;
    await t?.stop();
  }

  /** Starts a tail and resolves once it is past `last` or has nothing more (or after a while). */
  private readUntil(last: number, make: (onHealth: (h: TailHealth) => void) => StreamTail): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.releases.delete(done);
        resolve();
      };
      this.releases.add(done);
      // Ready anyway after a while: lookups by id and counts do not need the window.
      setTimeout(done, LOAD_GIVE_UP_MS).unref();
      make((h) => {
        if (h.nextSeq > last || h.pending === 0) done();
      }).start();
    });
  }

  private followBucket(fromSeq: number): void {
    if (this.kvTail || this.stopped) return;
    this.kvTail = new StreamTail(this.publisher.connection, this.js, this.jsm, {
      stream: kvStream(TASKS_BUCKET),
      filter: RECORD_FILTER,
      startSeq: fromSeq,
      batch: 2000,
      onBatch: async (msgs) => this.onBucketMsgs(msgs),
    });
    this.kvTail.start();
  }

  private onBucketMsgs(msgs: TailMsg[]): Promise<void> {
    this.read += msgs.length;
    for (const m of msgs) {
      if (m.subject.endsWith(`.${CHECKPOINT_KEY}`)) {
        if (!this.indexer?.isLeader && m.data.length) this.setCheckpoint(m.json<Checkpoint>());
      }
    }
    for (const rec of records(msgs)) {
      if (this.isReady && rec.status === 'completed' && this.window.get(rec.id)?.status !== 'completed')
        this.rate.add(1);
      this.window.apply(rec);
    }
    return Promise.resolve();
  }

  /** The writer feeds its window itself; a reader follows the bucket. */
  private async onRole(leader: boolean): Promise<void> {
    if (leader) {
      const t = this.kvTail;
      this.kvTail = undefined;
      await t?.stop();
    } else if (!this.stopped) {
      const si = await this.jsm.streams.info(kvStream(TASKS_BUCKET)).catch(() => undefined);
      this.followBucket((si?.state.last_seq ?? 0) + 1);
    }
  }

  private markReady(): void {
    this.isReady = true;
    this.flush(true);
  }

  private async refreshCounts(): Promise<void> {
    this.lanes ??= reusedLaneNumbers(consumerInfoReuseMs(this.publisher.connection.info?.version));
    const c = await streamCounts(this.jsm, this.lanes);
    this.latest = c;
    if (!this.checkpointSeenAt) this.checkpointSeenAt = Date.now();
  }

  private flush(force = false): void {
    const ids = this.window.takeChanged();
    if (!ids.length && !force && !this.countsMoved()) return;
    const truncated = ids.length > MAX_IDS_PER_EVENT;
    this.onChanged({
      ids: truncated ? ids.slice(-MAX_IDS_PER_EVENT) : ids,
      counts: this.counts(),
      ready: this.isReady,
      truncated: truncated || undefined,
      index: this.index(),
    });
  }

  private sentCountsAt = 0;
  private countsMoved(): boolean {
    const at = this.latest?.at ?? 0;
    if (at === this.sentCountsAt) return false;
    this.sentCountsAt = at;
    return true;
  }

  private async taskFromStream(seq: number): Promise<Task | undefined> {
    try {
      const sm = await this.jsm.streams.getMessage(TASKS_STREAM, { seq });
      return sm?.json<Task>();
    } catch {
      return undefined;
    }
  }
}

/** The task records and state parts among bucket messages (not deletes, the checkpoint or the lease). */
function records(msgs: TailMsg[]): (TaskRecord | StateRecord)[] {
  const out: (TaskRecord | StateRecord)[] = [];
  for (const m of msgs) {
    if (!isRecordData(m.data)) continue;
    if (m.subject.startsWith(TASK_PREFIX)) out.push(expand(m.json<TaskRecord>()));
    else if (m.subject.startsWith(STATE_PREFIX)) out.push(expand(m.json<StateRecord>()));
  }
  return out;
}

/** Completions per second over the last minute, in one-second buckets (bounded whatever the rate). */
class CompletionRate {
  private readonly buckets = new Array<number>(60).fill(0);
  private second = 0;
  private first = 0;

  add(n: number, now = Date.now()): void {
    this.roll(now);
    if (!this.first) this.first = now;
    this.buckets[this.second % 60] += n;
  }

  perSecond(now = Date.now()): number {
    this.roll(now);
    if (!this.first) return 0;
    const total = this.buckets.reduce((a, b) => a + b, 0);
    if (!total) return 0;
    const span = Math.max(1000, Math.min(60_000, now - this.first));
    return (total * 1000) / span;
  }

  private roll(now: number): void {
    const s = Math.floor(now / 1000);
    if (!this.second) this.second = s;
    if (s - this.second >= 60) this.buckets.fill(0);
    else for (let i = this.second + 1; i <= s; i++) this.buckets[i % 60] = 0;
    if (s > this.second) this.second = s;
    if (this.first && now - this.first > 60_000 && this.buckets.every((b) => b === 0)) this.first = 0;
  }
}
