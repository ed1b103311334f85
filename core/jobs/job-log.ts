import { hostname } from 'node:os';
import { Kvm, type KV } from '@nats-io/kv';
import { bucketExists } from '../../nats/kv-bucket';
import {
  JOBS_BUCKET,
  type JobRecord,
  type JobRecordKind,
  type JobRecordState,
} from '../../api/features/jobs';
import { ApiError } from '../../api/errors';
import type { ActiveConnection } from '../connections/connection-manager';
import type { Core } from '../core';

/** One write per running job per second at most: the record is a heartbeat too. */
export const WRITE_MS = 1_000;
/** A running record not refreshed for this long belongs to a process that is gone. */
export const STALE_MS = 15_000;
/** Records expire a week after their last write (the bucket's TTL). */
const TTL_MS = 7 * 24 * 3600 * 1000;
const MAX_BUCKET_BYTES = 16 * 1024 * 1024;
/** Most records read by a listing (newest kept). */
const MAX_LISTED = 500;

export interface JobFigures {
  total: number;
  sent: number;
  confirmed: number;
  failed: number;
}

export interface JobStart {
  id: string;
  kind: JobRecordKind;
  summary: string;
  /** Read on every write: the job's figures now. */
  figures: () => JobFigures;
}

export interface RecordedJob {
  /** Writes the final record; resolves once it is stored (or the write failed and was logged). */
  finish(state: Exclude<JobRecordState, 'running' | 'interrupted'>, error?: string): Promise<void>;
}

const HOST = hostname();

/**
 * Writes each bulk job's progress to the KV bucket `jetdeck_jobs` at a bounded rate and, on
 * connect, turns running records whose process is gone into `interrupted` ones (announced with
 * the `jobs.interrupted` event). Recording is best effort: a job never fails because its record
 * could not be written (no JetStream rights, bucket full); that is logged once per job.
 */
export class JobLog {
  private readonly buckets = new WeakMap<ActiveConnection, Promise<KV>>();
  /** Jobs this process is running (a record with our pid that is not here is from a dead process). */
  private readonly active = new Set<string>();
  private recheck?: NodeJS.Timeout;

  constructor(private readonly core: Core) {
    core.connections.onConnected(() => void this.announceInterrupted());
    core.onDispose(() => {
      if (this.recheck) clearTimeout(this.recheck);
    });
  }

  begin(job: JobStart): RecordedJob {
    const startedAt = Date.now();
    this.active.add(job.id);
    let writing: Promise<void> | undefined;
    let warned = false;
    let finished = false;
    const write = (state: JobRecordState, error?: string): Promise<void> => {
      const rec: JobRecord = {
        id: job.id,
        kind: job.kind,
        state,
        summary: job.summary,
        ...job.figures(),
        startedAt,
        updatedAt: Date.now(),
        host: HOST,
        pid: process.pid,
        ...(error ? { error } : {}),
      };
      return this.put(rec).catch((err: unknown) => {
        if (warned) return;
        warned = true;
        console.warn(`[jetdeck] job ${job.id} is not recorded in ${JOBS_BUCKET}: ${(err as Error).message}`);
      });
    };
    writing = write('running');
    const timer = setInterval(() => {
      // One write in flight per job: a slow server delays the next heartbeat, never piles them up.
      if (writing || finished) return;
      writing = write('running').finally(() => (writing = undefined));
    }, WRITE_MS);
    timer.unref();
    void writing.finally(() => (writing = undefined));
    return {
      finish: async (state, error) => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        await writing;
        await write(state, error);
        this.active.delete(job.id);
      },
    };
  }

  /** Recorded jobs, newest first; running records whose process is gone show as interrupted. */
  async list(state?: JobRecordState): Promise<JobRecord[]> {
    const kv = await this.bucket(false);
    if (!kv) return [];
    const records: JobRecord[] = [];
    const keys = await kv.keys();
    for await (const k of keys) {
      const e = await kv.get(k);
      if (!e || e.operation !== 'PUT') continue;
      try {
        records.push(this.judge(e.json<JobRecord>()));
      } catch {
        /* not one of ours */
      }
    }
    records.sort((a, b) => b.startedAt - a.startedAt);
    const out = state ? records.filter((r) => r.state === state) : records;
    return out.slice(0, MAX_LISTED);
  }

  async dismiss(id: string): Promise<boolean> {
    if (this.active.has(id)) {
      throw new ApiError('conflict', `job ${id} is still running: cancel it first`);
    }
    const kv = await this.bucket(false);
    if (!kv || !(await kv.get(id))) return false;
    const rec = this.judge((await kv.get(id))!.json<JobRecord>());
    if (rec.state === 'running') {
      throw new ApiError('conflict', `job ${id} is still running in process ${rec.pid} on ${rec.host}`);
    }
    await kv.purge(id);
    return true;
  }

  /**
   * Marks running records whose process is gone as interrupted (compare-and-set, so two
   * JetDecks starting together write it once) and emits the interrupted ones, if any.
   */
  async announceInterrupted(): Promise<JobRecord[]> {
    let interrupted: JobRecord[] = [];
    let pendingElsewhere = false;
    try {
      const kv = await this.bucket(false);
      if (!kv) return [];
      const keys = await kv.keys();
      for await (const k of keys) {
        const e = await kv.get(k);
        if (!e || e.operation !== 'PUT') continue;
        const rec = e.json<JobRecord>();
        const judged = this.judge(rec);
        if (rec.state === 'running' && judged.state === 'interrupted') {
          await kv.update(k, JSON.stringify(judged), e.revision).catch(() => undefined);
        } else if (judged.state === 'running' && !this.active.has(rec.id)) {
          pendingElsewhere = true;
        }
        if (judged.state === 'interrupted') interrupted.push(judged);
      }
    } catch (err) {
      console.warn(`[jetdeck] could not read ${JOBS_BUCKET}: ${(err as Error).message}`);
      return [];
    }
    interrupted = interrupted.sort((a, b) => b.startedAt - a.startedAt).slice(0, MAX_LISTED);
    if (interrupted.length) this.core.bus.emit('jobs.interrupted', { jobs: interrupted });
    // A job another process runs may still end without a word: look again once it could be stale.
    if (pendingElsewhere && !this.recheck) {
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        void this.announceInterrupted();
      }, STALE_MS + WRITE_MS);
      this.recheck.unref();
    }
    return interrupted;
  }

  /** A running record whose process is provably gone, or silent for too long, is interrupted. */
  private judge(rec: JobRecord): JobRecord {
    if (rec.state !== 'running') return rec;
    let gone = Date.now() - rec.updatedAt > STALE_MS;
    if (!gone && rec.host === HOST) {
      gone = rec.pid === process.pid ? !this.active.has(rec.id) : !pidAlive(rec.pid);
    }
    return gone ? { ...rec, state: 'interrupted' } : rec;
  }

  private async put(rec: JobRecord): Promise<void> {
    const kv = await this.bucket(true);
    await kv!.put(rec.id, JSON.stringify(rec));
  }

  /** The bucket on the active connection; created on first write, never by a read. */
  private async bucket(create: true): Promise<KV>;
  private async bucket(create: false): Promise<KV | undefined>;
  private async bucket(create: boolean): Promise<KV | undefined> {
    const conn = this.core.connections.require();
    const known = this.buckets.get(conn);
    if (known) return known;
    if (!create) {
      const jsm = await conn.jsm();
      if (!(await bucketExists(jsm, JOBS_BUCKET))) return undefined;
    }
    const p = create
      ? new Kvm(conn.js).create(JOBS_BUCKET, {
          history: 1,
          ttl: TTL_MS,
          max_bytes: MAX_BUCKET_BYTES,
          description: 'JetDeck bulk jobs (publish, replay, import) and how far they got',
        })
      : new Kvm(conn.js).open(JOBS_BUCKET);
    this.buckets.set(conn, p);
    p.catch(() => this.buckets.delete(conn));
    return p;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
