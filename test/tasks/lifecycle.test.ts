import { describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { TASKS_STREAM } from '../../api/task-wire';
import { builtinHandlers } from '../../worker/handlers/builtin';
import { WorkerRuntime } from '../../worker/runtime';
import type { TestCore } from '../harness/core';
import type { TestServer } from '../harness/nats-server';
import { until } from './helpers';
import { codeOf, sharedCore } from '../harness/fixtures';

/** Task lifecycle through the core's task service, processed by the real worker runtime. */
describe('task lifecycle: complete, cancel, retry, dead letters, queue status', () => {
  let server: TestServer;
  let t: TestCore;
  let workerNc: NatsConnection;
  let worker: WorkerRuntime | undefined;

  const startWorker = async () => {
    if (worker) return;
    worker = new WorkerRuntime({
      nc: workerNc,
      name: 'w-test',
      concurrency: 4,
      handlers: builtinHandlers,
      backoffMs: [30, 30],
    });
    await worker.start();
  };
  const stopWorker = async () => {
    await worker?.drain();
    worker = undefined;
    // Make sure the server has seen the lanes' UNSUBs before the next publish (else it may
    // deliver to the drained runtime's pull request and the task waits out ack wait).
    await workerNc?.flush();
  };
  const status = async (id: string) => (await t.call('tasks.get', { id })).status;
  /** The counts once they cover the stream as it is now (they are refreshed every second). */
  const currentCounts = async () => {
    const last = (await (await jetstreamManager(workerNc)).streams.info(TASKS_STREAM)).state.last_seq;
    const l = await until(async () => {
      const r = await t.call('tasks.list', { limit: 1 });
      return r.index && r.index.stream_last_seq >= last ? r : undefined;
    }, 'counts covering the stream');
    return l.counts;
  };

  sharedCore(async (env) => {
    ({ server, t } = env);
    workerNc = await connect({ servers: server.url });
    await startWorker();
    return async () => {
      await stopWorker();
      await workerNc.close();
    };
  });

  it('cancel: 404 for an unknown id; a pending task is skipped and reported cancelled; 409 after', async () => {
    expect(await codeOf(t.call('tasks.cancel', { id: 'no-such-task' }))).toBe('not_found');
    await stopWorker();
    const { task } = await t.call('tasks.publish', { type: 'echo', payload: 'never runs' });
    const s = await t.call('tasks.cancel', { id: task.id });
    expect(s.cancel_requested).toBe(true);
    const d = await t.call('tasks.get', { id: task.id });
    expect(d.timeline.map((e) => e.kind)).toEqual(['published', 'cancel-request']);
    await startWorker();
    await until(async () => (await status(task.id)) === 'cancelled', 'worker reports cancelled');
    expect(await codeOf(t.call('tasks.cancel', { id: task.id }))).toBe('conflict');
    expect(await codeOf(t.call('tasks.setStatus', { id: task.id, status: 'cancelled' }))).toBe('conflict');
  });

  it('completes a task; the timeline shows publish and completion with worker and result', async () => {
    const { task, seq } = await t.call('tasks.publish', { type: 'echo', payload: { v: 42 } });
    await until(async () => (await status(task.id)) === 'completed', 'completed');
    const d = await t.call('tasks.get', { id: task.id });
    expect(d.result).toEqual({ v: 42 });
    expect(d.worker).toBe('w-test');
    expect(d.attempts).toBe(1);
    expect(d.timeline[0]).toMatchObject({ kind: 'published', seq });
    expect(d.timeline.at(-1)).toMatchObject({
      kind: 'status',
      status: 'completed',
      worker: 'w-test',
      attempt: 1,
      result: { v: 42 },
    });
  });

  it('retry re-publishes a finished task with a new id, linked both ways; refused while unfinished', async () => {
    const { task } = await t.call('tasks.publish', { type: 'echo', payload: 'again', priority: 'high' });
    await until(async () => (await status(task.id)) === 'completed', 'first run');
    const r = await t.call('tasks.retry', { id: task.id });
    expect(r.task.id).not.toBe(task.id);
    expect(r.task.metadata).toMatchObject({ retry_of: task.id });
    expect(r.subject).toBe('tasks.high');
    const old = await t.call('tasks.get', { id: task.id });
    expect(old.retried_as).toEqual([r.task.id]);
    expect(old.timeline.at(-1)).toMatchObject({ kind: 'retried-as', retried_as: r.task.id });
    const fresh = await t.call('tasks.get', { id: r.task.id });
    expect(fresh.retry_of).toBe(task.id);
    expect(fresh.timeline[0]).toMatchObject({ kind: 'published', retry_of: task.id });
    await until(async () => (await status(r.task.id)) === 'completed', 'retry completes');

    await stopWorker();
    const pending = await t.call('tasks.publish', { type: 'echo', payload: 1 });
    expect(await codeOf(t.call('tasks.retry', { id: pending.task.id }))).toBe('conflict');
    // Statuses only workers report are refused as a conflict (REST 409, as the README says).
    expect(await codeOf(t.call('tasks.setStatus', { id: pending.task.id, status: 'processing' }))).toBe(
      'conflict',
    );
    expect(await codeOf(t.call('tasks.setStatus', { id: 'missing', status: 'pending' }))).toBe('not_found');
    await startWorker();
    await until(async () => (await status(pending.task.id)) === 'completed', 'pending one completes');
    const viaPatch = await t.call('tasks.setStatus', { id: pending.task.id, status: 'pending' });
    expect(viaPatch.retry?.task.metadata).toMatchObject({ retry_of: pending.task.id });
  });

  it("a task failing 3 times lands in dead letters with every attempt's error; retry and discard resolve it", async () => {
    const a = await t.call('tasks.publish', { type: 'fail', payload: { message: 'boom' } });
    const b = await t.call('tasks.publish', { type: 'fail', payload: { message: 'bang' } });
    await until(
      async () => (await status(a.task.id)) === 'failed' && (await status(b.task.id)) === 'failed',
      'both failed',
    );
    const list = await until(async () => {
      const l = (await t.call('tasks.deadLetters.list')).deadLetters;
      const d = l.find((x) => x.id === a.task.id);
      // The MSG_TERMINATED advisory follows the failed event.
      return d &&
        d.errors.length === 3 &&
        (await t.call('tasks.get', { id: a.task.id })).timeline.some((e) => e.kind === 'advisory')
        ? l
        : undefined;
    }, 'dead letter with 3 errors and the advisory');
    const dl = list.find((x) => x.id === a.task.id)!;
    expect(dl.reason).toBe('terminated');
    expect(dl.attempts).toBe(3);
    expect(dl.errors.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(dl.errors.every((e) => e.error === 'boom')).toBe(true);
    expect(dl.task?.payload).toEqual({ message: 'boom' });
    const adv = (await t.call('tasks.get', { id: a.task.id })).timeline.find((e) => e.kind === 'advisory');
    expect(adv).toMatchObject({ reason: 'terminated', deliveries: 3 });

    const retried = await t.call('tasks.deadLetters.retry', { id: a.task.id });
    expect(retried.task.metadata).toMatchObject({ retry_of: a.task.id });
    // Nothing in this test cancels a task: a discard must not count as one (counts = the stream's).
    // Counts taken as of the stream before and after, else the first can miss the earlier
    // cancel test's event and the second include it (or both miss the discard).
    const countsBefore = await currentCounts();
    expect(await t.call('tasks.deadLetters.discard', { id: b.task.id })).toEqual({ discarded: true });
    const countsAfter = await currentCounts();
    expect(countsAfter.cancelled).toBe(countsBefore.cancelled);
    expect(countsAfter.failed).toBeGreaterThanOrEqual(countsBefore.failed);
    const bTimeline = (await t.call('tasks.get', { id: b.task.id })).timeline;
    expect(bTimeline.at(-1)).toMatchObject({ kind: 'discarded' });
    const after = (await t.call('tasks.deadLetters.list')).deadLetters.map((d) => d.id);
    expect(after).not.toContain(a.task.id);
    expect(after).not.toContain(b.task.id);
    const all = (await t.call('tasks.deadLetters.list', { includeResolved: true })).deadLetters;
    expect(all.find((d) => d.id === b.task.id)?.discarded).toBe(true);
    expect(all.find((d) => d.id === a.task.id)?.retried_as).toEqual([retried.task.id]);
    expect(await status(b.task.id)).toBe('failed'); // discarding keeps the state
    // Only failed tasks can be discarded: one that no worker takes stays pending (the retry
    // itself may fail again within milliseconds here, so it cannot show this).
    const parked = await t.call('tasks.publish', { type: 'parked-dl', route: 'typed', payload: 1 });
    expect(await codeOf(t.call('tasks.deadLetters.discard', { id: parked.task.id }))).toBe('conflict');
    await until(async () => (await status(retried.task.id)) === 'failed', 'the retry fails again');
  });

  it('retryAll retries every matching dead letter', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (
          await t.call('tasks.publish', {
            type: 'fail',
            payload: { message: `m${i}` },
            metadata: { batch: 'ra' },
          })
        ).task.id,
      );
    await until(async () => {
      const l = (await t.call('tasks.deadLetters.list', { type: 'fail' })).deadLetters.map((d) => d.id);
      return ids.every((id) => l.includes(id));
    }, 'three dead letters');
    const r = await t.call('tasks.deadLetters.retryAll', { type: 'fail' });
    expect(r.failed).toEqual([]);
    expect(r.retried.map((x) => x.task.metadata?.retry_of)).toEqual(expect.arrayContaining(ids));
    const left = (await t.call('tasks.deadLetters.list', { type: 'fail' })).deadLetters.map((d) => d.id);
    for (const id of ids) expect(left).not.toContain(id);
  });

  it('a task that exhausts its deliveries without any report becomes a dead letter (MAX_DELIVERIES)', async () => {
    // A typed lane nobody but this raw consumer reads: it naks every delivery without reporting.
    const { task, seq } = await t.call('tasks.publish', { type: 'naked', route: 'typed', payload: 1 });
    const js = jetstream(workerNc);
    const consumer = await js.consumers.get('TASKS', 'task-workers-typed-naked');
    const msgs = await consumer.consume({ max_messages: 10, expires: 1000, callback: (m) => m.nak() });
    try {
      await until(async () => (await status(task.id)) === 'failed', 'core reports the exhausted task failed');
    } finally {
      await msgs.close();
    }
    const dl = (await t.call('tasks.deadLetters.list', { q: task.id })).deadLetters[0];
    expect(dl).toMatchObject({ id: task.id, reason: 'max_deliveries', attempts: 3, seq });
    expect(dl.last_error).toMatch(/max deliveries \(3\)/);
    const d = await t.call('tasks.get', { id: task.id });
    expect(d.timeline.some((e) => e.kind === 'advisory' && e.reason === 'max_deliveries')).toBe(true);
  });

  it('queue status: backlog per lane; a lane no worker serves has no time-to-drain and says so', async () => {
    for (let i = 0; i < 5; i++) await t.call('tasks.publish', { type: 'parked', route: 'typed', payload: i });
    const q = await t.call('tasks.queueStatus');
    const lane = q.lanes.find((l) => l.consumer === 'task-workers-typed-parked');
    expect(lane).toMatchObject({
      exists: true,
      filter: 'tasks.typed.parked',
      num_pending: 5,
      num_ack_pending: 0,
    });
    const normal = q.lanes.find((l) => l.consumer === 'task-workers')!;
    expect(normal.exists).toBe(true);
    expect(normal.num_waiting).toBeGreaterThanOrEqual(1); // the worker's pull requests
    expect(normal.delivered_seq).toBeGreaterThan(0);
    expect(q.backlog).toBeGreaterThanOrEqual(5);
    expect(q.completionRatePerSec).toBeGreaterThan(0);
    // The parked lane holds tasks that no worker serves: no time-to-drain, and the status says why.
    expect(q.unserved?.map((u) => u.subject)).toContain('tasks.typed.parked');
    expect(q.timeToDrainSec).toBeNull();
    expect(q.drainNote).toMatch(/no worker/);
    expect(q.stream?.messages).toBeGreaterThan(0);
  });
});
