import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { msgHeaders } from '../../nats/publish/pub-ack';
import { ensureTopology } from '../../nats/topology';
import { PubAckWindow } from '../../core/tasks/pub-ack-window';
import { TASKS_BUCKET, kvStream, stateSubject, taskKey, taskSubject } from '../../core/tasks/state/buckets';
import type { StateRecord, TaskRecord } from '../../core/tasks/state/record';
import { readStored } from '../../core/tasks/state/stored';
import { TaskState } from '../../core/tasks/state/task-state';
import { startServer, type TestServer } from '../harness/nats-server';
import { until } from './helpers';

/**
 * The record split in two keys: `t.<id>` (the task part, written once when its message is
 * folded) and `s.<id>` (the state part, written on its events). Events that carry the task
 * message's sequence (JetDeck workers') need no read-back when the writer folded that message
 * itself; others (an older sequence, no sequence) read both parts as before; records written
 * whole before the split still read and fold correctly.
 */
describe('task state: task part and state part', () => {
  let server: TestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: PubAckWindow;
  const states: TaskState[] = [];
  const at = new Date().toISOString();

  /** A writer with two records in memory at most: every event below misses the cache. */
  const writer = async () => {
    const state = new TaskState(jetstream(nc), jsm, publisher, () => undefined, { cacheCap: 2 });
    states.push(state);
    await state.start();
    await until(async () => state.index().role === 'writer' || undefined, 'writer', 30_000);
    return state;
  };
  const stop = async (state: TaskState) => {
    await state.stop();
    states.splice(states.indexOf(state), 1);
  };
  const publishTasks = async (prefix: string, n: number) => {
    const js = jetstream(nc);
    const seqs: number[] = [];
    for (let i = 0; i < n; i++) {
      const task = { id: `${prefix}-${i}`, type: 'echo', payload: { n: i }, created_at: at };
      seqs.push((await js.publish('tasks.new', JSON.stringify(task), { headers: msgHeaders(task.id) })).seq);
    }
    return seqs;
  };
  /** processing then completed, as a JetDeck worker reports them (with `seq`, or without). */
  const complete = async (prefix: string, seqs: number[], withSeq = true) => {
    const js = jetstream(nc);
    let last = 0;
    for (let i = 0; i < seqs.length; i++) {
      const id = `${prefix}-${i}`;
      const extra = withSeq ? { seq: seqs[i] } : {};
      const ev = { id, at, attempt: 1, worker: 'w', ...extra };
      await js.publish('tasks.status.processing', JSON.stringify({ ...ev, status: 'processing' }), {
        headers: msgHeaders(`${id}:processing`),
      });
      const done = { ...ev, status: 'completed', result: { n: i }, duration_ms: 2 };
      last = (
        await js.publish('tasks.status.completed', JSON.stringify(done), {
          headers: msgHeaders(`${id}:completed`),
        })
      ).seq;
    }
    return last;
  };
  /** A stored part as a reader reads it (the fields left out because derivable put back). */
  const direct = async <T extends TaskRecord | StateRecord>(subject: string): Promise<T | undefined> => {
    const m = await jsm.direct.getMessage(kvStream(TASKS_BUCKET), { last_by_subj: subject });
    return m && m.data.length ? readStored<T>(m.string()) : undefined;
  };
  const expectCompleted = async (state: TaskState, id: string, n: number) => {
    const d = await state.detail(id);
    expect(d).toMatchObject({
      id,
      status: 'completed',
      type: 'echo',
      attempts: 1,
      worker: 'w',
      result: { n },
    });
    expect(d!.task).toMatchObject({ id, payload: { n } });
    expect(d!.timeline.map((e) => e.status ?? e.kind)).toEqual(['published', 'processing', 'completed']);
  };

  beforeAll(async () => {
    server = await startServer();
    nc = await connect({ servers: server.url, noAsyncTraces: true });
    jsm = await jetstreamManager(nc);
    await ensureTopology(jsm);
    publisher = new PubAckWindow(nc);
  }, 60_000);
  afterAll(async () => {
    for (const s of states.splice(0)) await s.stop();
    publisher?.close();
    await nc?.close();
    await server?.dispose();
  });

  it('folds a final event without reading the record back, and stores the parts under their keys', async () => {
    const state = await writer();
    const N = 200;
    const seqs = await publishTasks('split', N);
    expect(await state.waitForSeq(seqs[N - 1], 30_000)).toBe(true);
    const reads = state.readBack;
    const last = await complete('split', seqs);
    expect(await state.waitForSeq(last, 30_000)).toBe(true);
    // Every event named a task message this writer folded: nothing was read back.
    expect(state.readBack).toBe(reads);
    for (const i of [0, 99, N - 1]) await expectCompleted(state, `split-${i}`, i);
    // The task part is as written when its message was folded; the state part holds the rest.
    const t = await direct<TaskRecord>(taskSubject('split-5'));
    expect(t).toMatchObject({ id: 'split-5', status: 'pending', type: 'echo', task: { payload: { n: 5 } } });
    expect(t!.timeline).toHaveLength(1);
    const s = await direct<StateRecord & { task?: unknown; type?: unknown }>(stateSubject('split-5'));
    expect(s).toMatchObject({
      id: 'split-5',
      status: 'completed',
      attempts: 1,
      seq: seqs[5],
      result: { n: 5 },
    });
    expect(s!.timeline.map((e) => e.status)).toEqual(['processing', 'completed']);
    expect(s!.task).toBeUndefined();
    expect(s!.type).toBeUndefined();
    // Read by another process (a reader's lookup by id merges both parts).
    await stop(state);
    const reader = await writer();
    await expectCompleted(reader, 'split-0', 0);
    await stop(reader);
  });

  it('reads the record back for events of tasks folded before it started, or with no seq', async () => {
    const first = await writer();
    const seqs = await publishTasks('before', 20);
    expect(await first.waitForSeq(seqs[19], 30_000)).toBe(true);
    await stop(first);
    // A new writer starts from the checkpoint: these tasks are older than its start.
    const state = await writer();
    const reads = state.readBack;
    const last = await complete('before', seqs);
    expect(await state.waitForSeq(last, 30_000)).toBe(true);
    expect(state.readBack).toBeGreaterThanOrEqual(reads + 20);
    for (const i of [0, 19]) await expectCompleted(state, `before-${i}`, i);
    // Events with no seq (another worker): read back too, folded the same.
    const seqs2 = await publishTasks('noseq', 10);
    expect(await state.waitForSeq(seqs2[9], 30_000)).toBe(true);
    const reads2 = state.readBack;
    const last2 = await complete('noseq', seqs2, false);
    expect(await state.waitForSeq(last2, 30_000)).toBe(true);
    expect(state.readBack).toBeGreaterThanOrEqual(reads2 + 10);
    for (const i of [0, 9]) await expectCompleted(state, `noseq-${i}`, i);
    // An event naming another task's seq is not taken for that task's: read, and ignored.
    const [pendingSeq] = await publishTasks('still-pending', 1);
    expect(await state.waitForSeq(pendingSeq, 30_000)).toBe(true);
    const ignored = state.index().ignored_events;
    const forged = { id: 'no-such-task', status: 'completed', at, attempt: 1, worker: 'w', seq: pendingSeq };
    const f = await jetstream(nc).publish('tasks.status.completed', JSON.stringify(forged));
    expect(await state.waitForSeq(f.seq, 30_000)).toBe(true);
    expect(state.index().ignored_events).toBe(ignored + 1);
    expect(await state.get('no-such-task')).toBeUndefined();
    expect(await state.get('still-pending-0')).toMatchObject({ status: 'pending', attempts: 0 });
    await stop(state);
  });

  it('reads a record stored whole before the split (no state part) and folds later events into it', async () => {
    const state = await writer();
    // A task published, then its record as the writer before the split stored it: whole, failed.
    const js = jetstream(nc);
    const task = { id: 'old-format', type: 'echo', payload: { n: 1 }, created_at: at };
    const pub = await js.publish('tasks.new', JSON.stringify(task), { headers: msgHeaders(task.id) });
    expect(await state.waitForSeq(pub.seq, 30_000)).toBe(true);
    const failed = { id: 'old-format', status: 'failed', at, attempt: 3, worker: 'w', error: 'boom' };
    const fev = await js.publish('tasks.status.failed', JSON.stringify(failed));
    expect(await state.waitForSeq(fev.seq, 30_000)).toBe(true);
    await stop(state);
    const kv = await new Kvm(nc).open(TASKS_BUCKET);
    const whole: TaskRecord = {
      id: 'old-format',
      type: 'echo',
      status: 'failed',
      priority: 'normal',
      subject: 'tasks.new',
      seq: pub.seq,
      published_at: at,
      updated_at: at,
      attempts: 3,
      worker: 'w',
      last_error: 'boom',
      task,
      lseq: fev.seq,
      timeline: [
        { kind: 'published', at, seq: pub.seq, subject: 'tasks.new' },
        { kind: 'status', at, seq: fev.seq, status: 'failed', attempt: 3, worker: 'w', error: 'boom' },
      ],
    };
    await kv.put(taskKey('old-format'), JSON.stringify(whole));
    await kv.delete(`s.old-format`);
    const next = await writer();
    expect(await next.get('old-format')).toMatchObject({ status: 'failed', attempts: 3, last_error: 'boom' });
    // A later event (a discard, which carries no seq) folds into it: the state part now says it.
    const d = await js.publish('tasks.delete', JSON.stringify({ id: 'old-format', discard: true }));
    expect(await next.waitForSeq(d.seq, 30_000)).toBe(true);
    const rec = await next.detail('old-format');
    expect(rec).toMatchObject({
      status: 'failed',
      discarded: true,
      last_error: 'boom',
      task: { payload: { n: 1 } },
    });
    expect(rec!.timeline.map((e) => e.status ?? e.kind)).toEqual(['published', 'failed', 'discarded']);
    expect(await direct<StateRecord>(stateSubject('old-format'))).toMatchObject({ discarded: true });
    await stop(next);
  });
});
