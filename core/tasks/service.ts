import { randomUUID } from 'node:crypto';
import type { JetStreamManager } from '@nats-io/jetstream';
import type {
  ApplyTopologyResult,
  BulkProgress,
  DeadLetter,
  PublishInput,
  PublishResult,
  QueueStatus,
  TaskDetail,
  TaskList,
  TaskSummary,
  TopologyReport,
} from '../../api/features/tasks';
import type { bulkInputSchema, listInputSchema } from '../../api/features/tasks';
import { dueAt } from '../../api/features/tasks';
import { ApiError } from '../../api/errors';
import {
  SCHEDULE_HEADERS,
  SUBJECTS,
  TASKS_STREAM,
  TERMINAL_STATUSES,
  type Task,
  type TaskStatus,
} from '../../api/task-wire';
import type { ActiveConnection } from '../connections/connection-manager';
import type { Core } from '../core';
import { toApiError } from '../errors';
import type { z } from 'zod';
import type { LaneCoverage } from '../fleet/coverage';
import type { JobLog } from '../jobs/job-log';
import { BulkJob } from './bulk';
import { layoutFor, type TasksLayout } from './settings';
import { withLayout } from './session';
import { isDeadLetter, toDeadLetter, type DeadLetterFilter } from './dead-letters/filter';
import { taskIds } from './ids';
import { queueStatus } from './queue-status';
import { TaskSession } from './session';
import { TaskSettingsStore } from './settings';
import { TaskEncoder } from './task-builder';
import { detail, summary, type TaskRecord } from './state/record';
import type { TaskStateOptions } from './state/task-state';
import { applyTopology, inspectTopology } from '../../nats/topology';
import { consumerInfoReuseMs } from '../../nats/server-quirks';
import { isNativeScheduleSubject, scheduleMode, type ScheduleMode } from '../../nats/schedules';
import { patchPayload } from './dead-letters/edit';
import type { JsonPatch } from '../../api/json-patch';

const SINGLE_PUBLISH_GIVE_UP_MS = 10_000;
const KEEP_FINISHED_JOBS = 20;
const ATTACH_RETRIES = 8;
/** How long a schedule mode (native or lane) is trusted before TASKS' config is read again. */
const SCHEDULE_MODE_TTL_MS = 30_000;

/**
 * The task service: one TaskSession per connection, and the operations the API (contract and
 * REST) exposes. Cancel and retry rules:
 * - cancel: 404 for an unknown id, 409 when the task is already completed/failed/cancelled;
 *   otherwise publishes `tasks.delete {id}` (a worker skips or aborts it and reports cancelled).
 * - retry: only for finished tasks (409 while pending/processing/retrying): re-publishes the
 *   task to the same lane with a new id and `metadata.retry_of`; the index links both ways.
 * - setStatus: `cancelled` = cancel, `pending` = retry; any other status is the workers' to
 *   report and is refused with 409 (conflict).
 */
/** What the task service uses of other features (given by createCore). */
export interface TaskServiceDeps {
  jobs: JobLog;
  /** Who serves which lane; undefined when unknown (never fails queue status). */
  coverage: () => Promise<LaneCoverage | undefined>;
}

export class TaskService {
  private session?: TaskSession;
  /** Why the connection has no task service (JetStream disabled for the account). */
  private unavailable?: string;
  private attachTimer?: NodeJS.Timeout;
  readonly settings: TaskSettingsStore;
  private readonly jobs = new Map<string, BulkJob>();
  private readonly modes = new WeakMap<TaskSession, { at: number; mode: ScheduleMode }>();

  constructor(
    private readonly core: Core,
    private readonly deps: TaskServiceDeps,
    private readonly opts: TaskStateOptions = {},
  ) {
    this.settings = new TaskSettingsStore(core.dataDir);
    core.connections.onConnected((conn) => this.attach(conn));
    core.connections.onDisconnected(() => void this.detach());
    core.onDispose(() => this.detach());
  }

  /** The current session, only while connected (reconnecting counts as down: 503 on REST). */
  current(): TaskSession {
    const status = this.core.connections.status();
    const s = this.session;
    if (this.unavailable && status.state === 'connected') {
      throw new ApiError('unsupported', `JetStream is not available on this connection: ${this.unavailable}`);
    }
    if (!s || status.state !== 'connected' || s.conn !== this.core.connections.connection) {
      throw new ApiError(
        'not_connected',
        'NATS is not connected: the task queue is unavailable until it reconnects.',
      );
    }
    return s;
  }

  private async attach(conn: ActiveConnection, attempt = 0): Promise<void> {
    if (attempt === 0) await this.detach();
    if (conn !== this.core.connections.connection) return;
    let jsm: JetStreamManager;
    try {
      jsm = await conn.jsm();
    } catch (err) {
      // JetStream off for the account, or a fresh cluster without a meta leader yet: retry a while.
      this.unavailable = toApiError(err).message;
      if (attempt < ATTACH_RETRIES) {
        this.attachTimer = setTimeout(
          () => void this.attach(conn, attempt + 1),
          Math.min(8000, 500 * 2 ** attempt),
        );
        this.attachTimer.unref();
      }
      return;
    }
    this.unavailable = undefined;
    const s = new TaskSession(conn, jsm, this.core.bus, this.opts);
    this.session = s;
    await s.start(this.layout(conn));
  }

  private async detach(): Promise<void> {
    this.unavailable = undefined;
    clearTimeout(this.attachTimer);
    for (const j of this.jobs.values()) j.cancel();
    const s = this.session;
    this.session = undefined;
    await s?.dispose();
  }

  // ---- topology

  async topology(): Promise<TopologyReport> {
    const s = this.current();
    const layout = this.layout(s.conn);
    const report = withLayout(
      await inspectTopology(s.jsm, layout.replicas, { create: false, placement: layout.placement }),
      layout,
    );
    s.topology = report;
    return report;
  }

  /** Replicas and placement TASKS is created with: the saved choice, else the cluster default. */
  layout(conn: ActiveConnection): TasksLayout {
    return layoutFor(this.settings.get(), conn.nc.info);
  }

  /** `--replicas` / `--placement-tags` (serve): the choice for creating TASKS, saved. */
  choose(choice: { replicas?: number; placementTags?: string[] }): void {
    if (choice.replicas !== undefined) this.settings.update({ replicas: choice.replicas });
    if (choice.placementTags !== undefined) this.settings.update({ placementTags: choice.placementTags });
  }

  async applyTopology(replicas?: number, placementTags?: string[]): Promise<ApplyTopologyResult> {
    const s = this.current();
    if (replicas !== undefined) this.settings.update({ replicas });
    if (placementTags !== undefined) this.settings.update({ placementTags });
    const layout = this.layout(s.conn);
    const result = await applyTopology(s.jsm, layout.replicas, {
      replicas,
      ...(placementTags !== undefined ? { placement: { tags: placementTags } } : {}),
    });
    result.report = withLayout(result.report, layout);
    s.topology = result.report;
    this.core.bus.emit('tasks.topology', result.report);
    await s.startFeed();
    return result;
  }

  // ---- publishing

  async publish(input: PublishInput): Promise<PublishResult> {
    const s = this.current();
    const id = input.id ?? taskIds.next();
    const now = Date.now();
    const createdAt = new Date(now).toISOString();
    // `delay` becomes a `run_at`: what waits in the stream is a time, whoever releases it.
    const due = dueAt(input, now);
    const { delay: _delay, ...shape } = input;
    void _delay;
    if (due !== undefined && lacksScheduledLane(s.topology)) {
      throw new ApiError(
        'conflict',
        `TASKS does not capture ${SUBJECTS.scheduled} (it was created before scheduled tasks): apply the topology on the Tasks screen (tasks.applyTopology) to add the subject`,
      );
    }
    const enc = new TaskEncoder(
      due === undefined ? shape : { ...shape, run_at: new Date(due).toISOString() },
      s.maxPayload,
      { nativeSchedules: due !== undefined && (await this.scheduleMode(s)).native },
    );
    const msg = enc.encode(id, createdAt);
    if (input.route === 'typed') await s.ensureTypedLane(input.type);
    const r = await s.window.publish(msg, SINGLE_PUBLISH_GIVE_UP_MS);
    if (!r.ok) throw new ApiError(r.code, r.error);
    await s.caughtUp(r.seq);
    return { task: enc.task(id, createdAt), seq: r.seq, subject: msg.subject, duplicate: r.duplicate };
  }

  async publishBulk(
    input: z.infer<typeof bulkInputSchema>,
  ): Promise<{ jobId: string; done: Promise<BulkProgress> }> {
    const s = this.current();
    const { count, ratePerSec, idPrefix, ...shape } = input;
    const enc = new TaskEncoder(shape, s.maxPayload);
    // Validate size (and everything else) before anything is sent.
    enc.encode(idPrefix ? `${idPrefix}-${count}` : taskIds.next(), new Date().toISOString());
    if (shape.route === 'typed') await s.ensureTypedLane(shape.type);
    const jobId = randomUUID();
    const job: BulkJob = new BulkJob(jobId, s.window, enc, {
      count,
      ratePerSec,
      idPrefix,
      onProgress: (p) => this.core.bus.emit('tasks.bulkProgress', p),
    });
    // Recorded in JetStream, so a crash mid-way leaves a record of how far it got.
    const rec = this.deps.jobs.begin({
      id: jobId,
      kind: 'bulk',
      summary: `${count.toLocaleString('en-US')} × ${shape.type}${idPrefix ? ` (ids ${idPrefix}-1…${count})` : ''}`,
      figures: () => {
        const p = job.progress();
        return { total: p.total, sent: p.sent, confirmed: p.acked, failed: p.failed };
      },
    });
    this.jobs.set(jobId, job);
    this.pruneJobs();
    const done = job.run();
    void done.then(
      (p) => rec.finish(p.state === 'error' ? 'failed' : p.state === 'running' ? 'done' : p.state, p.error),
      (err: unknown) => rec.finish('failed', (err as Error).message),
    );
    return { jobId, done };
  }

  cancelBulk(jobId: string): BulkProgress {
    const job = this.jobs.get(jobId);
    if (!job) throw new ApiError('not_found', `no bulk publish ${jobId}`);
    job.cancel();
    return job.progress();
  }

  // ---- reading

  async list(input: z.infer<typeof listInputSchema>): Promise<TaskList> {
    const st = this.current().state;
    if (!st) return { tasks: [], counts: emptyCounts(), ready: false };
    const filter = { status: input.status, type: input.type, q: input.q };
    let page = st.window.list(filter, input.limit, input.cursor);
    // Right after start-up only the newest records are in: a later or short page waits for the rest.
    if (st.windowFilling && (input.cursor || (!page.next && page.tasks.length < input.limit))) {
      await st.windowFilled();
      page = st.window.list(filter, input.limit, input.cursor);
    }
    return { ...page, counts: st.counts(), ready: st.ready, index: st.index() };
  }

  async get(id: string): Promise<TaskDetail> {
    return detail(await this.entry(id));
  }

  types(): string[] {
    return this.current().state?.window.types() ?? [];
  }

  // ---- cancel / retry / status

  /**
   * Native schedules or JetDeck's lane (nats/schedules), decided by the server's version and
   * TASKS' config; read again after a while, since the operator may change the stream.
   */
  private async scheduleMode(s: TaskSession): Promise<ScheduleMode> {
    const c = this.modes.get(s);
    if (c && Date.now() - c.at < SCHEDULE_MODE_TTL_MS) return c.mode;
    const cfg = await s.jsm.streams.info(TASKS_STREAM).then(
      (si) => si.config,
      () => undefined,
    );
    const mode = scheduleMode(s.conn.nc.info?.version, cfg);
    this.modes.set(s, { at: Date.now(), mode });
    return mode;
  }

  async cancel(id: string): Promise<TaskSummary> {
    const s = this.current();
    const e = await this.entry(id);
    if (TERMINAL_STATUSES.includes(e.status))
      throw new ApiError('conflict', `task ${id} is already ${e.status}`);
    // A native schedule is held by the server: purging its subject drops it before it fires
    // (workers skip a cancelled task that was released meanwhile anyway).
    if (e.subject && isNativeScheduleSubject(e.subject))
      await s.jsm.streams.purge(TASKS_STREAM, { filter: e.subject }).catch(() => undefined);
    const { seq } = await this.control(s, SUBJECTS.delete, { id }, `cancel:${id}`);
    await s.caughtUp(seq);
    return summary(await this.entry(id));
  }

  /** `edit`: a JSON patch applied to the payload first (dead-letter groups' edit and retry). */
  async retry(id: string, edit?: { patch: JsonPatch }): Promise<PublishResult> {
    const s = this.current();
    const e = await this.entry(id);
    if (!TERMINAL_STATUSES.includes(e.status)) {
      throw new ApiError(
        'conflict',
        `task ${id} is ${e.status}; only completed, failed or cancelled tasks can be retried`,
      );
    }
    if (!e.task) throw new ApiError('conflict', `task ${id} has no readable task message to re-publish`);
    const newId = taskIds.next();
    const createdAt = new Date().toISOString();
    // A retry runs now, on the lane the task was (or would have been) released to.
    const { id: _old, created_at: _c, run_at: _r, ...rest } = e.task;
    void [_old, _c, _r];
    const {
      [SCHEDULE_HEADERS.target]: lane,
      [SCHEDULE_HEADERS.releasedFrom]: _f,
      ...headers
    } = e.headers ?? {};
    void _f;
    const metadata = {
      ...(e.task.metadata ?? {}),
      retry_of: id,
      ...(edit ? { retry_patch: edit.patch } : {}),
    };
    const shape = { ...rest, ...(edit ? { payload: patchPayload(rest.payload, edit.patch) } : {}), metadata };
    const hasHeaders = Object.keys(headers).length > 0;
    const enc = new TaskEncoder({ ...shape, headers: hasHeaders ? headers : undefined }, s.maxPayload);
    const out = enc.encode(newId, createdAt);
    const subject =
      e.subject === SUBJECTS.scheduled || isNativeScheduleSubject(e.subject ?? '')
        ? lane || SUBJECTS.new
        : e.subject || SUBJECTS.new;
    const msg = { data: out.data, msgId: out.msgId, headers: out.headers, subject };
    const r = await s.window.publish(msg, SINGLE_PUBLISH_GIVE_UP_MS);
    if (!r.ok) throw new ApiError(r.code, r.error);
    await s.caughtUp(r.seq);
    const task: Task = { ...enc.task(newId, createdAt) };
    return { task, seq: r.seq, subject: msg.subject, duplicate: r.duplicate };
  }

  async setStatus(id: string, status: TaskStatus): Promise<{ task: TaskSummary; retry?: PublishResult }> {
    if (status === 'cancelled') return { task: await this.cancel(id) };
    if (status === 'pending') {
      const retry = await this.retry(id);
      return { task: summary(await this.entry(id)), retry };
    }
    await this.entry(id); // 404 first
    // A valid status the task cannot be put in by hand: a conflict with its state, not bad input.
    throw new ApiError(
      'conflict',
      `status ${status} is reported by workers and cannot be set by hand; allowed: cancelled (cancels the task), pending (re-runs it as a new task)`,
    );
  }

  // ---- dead letters

  /** Dead letters from the `jetdeck_dead` bucket: the same list whichever JetDeck was online. */
  async deadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const st = this.current().state;
    if (!st) return [];
    const letters = (await st.deadLetters()).filter((e) => isDeadLetter(e, filter)).map(toDeadLetter);
    return filter.fingerprint ? letters.filter((d) => d.fingerprint === filter.fingerprint) : letters;
  }

  async retryDeadLetter(id: string): Promise<PublishResult> {
    const e = await this.entry(id);
    if (e.status !== 'failed') throw new ApiError('conflict', `task ${id} is ${e.status}, not a dead letter`);
    return this.retry(id);
  }

  async retryAllDeadLetters(filter: Omit<DeadLetterFilter, 'includeResolved'> = {}) {
    const retried: PublishResult[] = [];
    const failed: { id: string; error: string }[] = [];
    const letters = await this.deadLetters({ ...filter, includeResolved: false });
    await Promise.all(
      letters.map(async (d) => {
        try {
          retried.push(await this.retry(d.id));
        } catch (err) {
          failed.push({ id: d.id, error: toApiError(err).message });
        }
      }),
    );
    return { retried, failed };
  }

  async discardDeadLetter(id: string): Promise<{ discarded: boolean }> {
    const s = this.current();
    const e = await this.entry(id);
    if (e.status !== 'failed') throw new ApiError('conflict', `task ${id} is ${e.status}, not a dead letter`);
    if (e.discarded) return { discarded: true };
    const { seq } = await this.control(s, SUBJECTS.delete, { id, discard: true }, `${id}:discarded`);
    await s.caughtUp(seq);
    return { discarded: true };
  }

  // ---- queue

  async queueStatus(): Promise<QueueStatus> {
    const s = this.current();
    // On servers where reading consumer info costs deliveries, a recent answer is reused
    // (its `at` says how old it is).
    const reuse = consumerInfoReuseMs(s.conn.nc.info?.version);
    const last = this.lastQueue;
    if (reuse && last && last.session === s && Date.now() - last.at < reuse) return last.status;
    const status = await queueStatus(s.jsm, s.state?.completionRate() ?? 0, await this.deps.coverage());
    this.lastQueue = { session: s, at: Date.now(), status };
    return status;
  }

  private lastQueue?: { session: unknown; at: number; status: QueueStatus };

  private async entry(id: string): Promise<TaskRecord> {
    const s = this.current();
    if (!s.state) throw new ApiError('not_found', `no task ${id} (the task state is not available yet)`);
    const e = await s.state.get(id);
    if (!e) {
      const lag = s.state.index().lag;
      const hint = lag > 0 ? ` (the task state is ${lag} stream messages behind)` : '';
      throw new ApiError('not_found', `no task ${id}${hint}`);
    }
    return e;
  }

  private control(s: TaskSession, subject: string, body: unknown, msgId: string) {
    return s.publishControl(subject, body, msgId);
  }

  private pruneJobs(): void {
    const finished = [...this.jobs.entries()].filter(([, j]) => j.progress().state !== 'running');
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED_JOBS)))
      this.jobs.delete(id);
  }
}

/** An existing TASKS without the scheduled lane's subject (made before it existed). */
function lacksScheduledLane(r: TopologyReport | undefined): boolean {
  const d = r?.stream.diff.find((x) => x.path === 'stream.subjects');
  return Array.isArray(d?.current) && !(d.current as string[]).includes(SUBJECTS.scheduled);
}

function emptyCounts(): TaskList['counts'] {
  return {
    total: 0,
    scheduled: 0,
    pending: 0,
    processing: 0,
    retrying: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
  };
}
