import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { msgHeaders } from '../../nats/publish/pub-ack';
import { ensureTopology } from '../../nats/topology';
import { PubAckWindow } from '../../core/tasks/pub-ack-window';
import { TaskState } from '../../core/tasks/state/task-state';
import { startServer, type TestServer } from '../harness/nats-server';
import { until } from './helpers';

/**
 * The writer's fold when a task's events come long after its message (a backlog): its record
 * is no longer in memory and is read back from the bucket (pipelined direct gets), so the
 * stored record still holds the task, both timeline entries and the final state.
 */
describe('task state fold with records read back from the bucket', () => {
  let server: TestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let state: TaskState;
  let publisher: PubAckWindow;

  beforeAll(async () => {
    server = await startServer();
    nc = await connect({ servers: server.url, noAsyncTraces: true });
    jsm = await jetstreamManager(nc);
    await ensureTopology(jsm);
    publisher = new PubAckWindow(nc);
    // Two records in memory at most: nearly every event below misses the cache.
    state = new TaskState(jetstream(nc), jsm, publisher, () => undefined, { cacheCap: 2 });
    await state.start();
    await until(async () => state.index().role === 'writer' || undefined, 'writer');
  }, 60_000);
  afterAll(async () => {
    await state?.stop();
    publisher?.close();
    await nc?.close();
    await server?.dispose();
  });

  it('folds late events into records it reads back, and ignores events of unknown ids', async () => {
    const js = jetstream(nc);
    const N = 300;
    const id = (i: number) => `late-${i}`;
    const at = new Date().toISOString();
    for (let i = 0; i < N; i++) {
      const task = {
        id: id(i),
        type: 'echo',
        payload: { n: i, pad: 'x'.repeat(i === 7 ? 3000 : 10) },
        created_at: at,
      };
      await js.publish('tasks.new', JSON.stringify(task), { headers: msgHeaders(id(i)) });
    }
    const published = (await jsm.streams.info('TASKS')).state.last_seq;
    expect(await state.waitForSeq(published, 30_000)).toBe(true);
    for (let i = 0; i < N; i++) {
      const ev = {
        id: id(i),
        status: 'completed',
        at,
        attempt: 1,
        worker: 'w',
        result: { n: i },
        duration_ms: 1,
      };
      await js.publish('tasks.status.completed', JSON.stringify(ev), {
        headers: msgHeaders(`${id(i)}:completed`),
      });
    }
    const ghost = { id: 'never-published-late', status: 'completed', at, attempt: 1, worker: 'w' };
    const last = await js.publish('tasks.status.completed', JSON.stringify(ghost));
    expect(await state.waitForSeq(last.seq, 30_000)).toBe(true);

    for (const i of [0, 7, N - 1]) {
      const d = await state.detail(id(i));
      expect(d).toMatchObject({
        id: id(i),
        status: 'completed',
        type: 'echo',
        attempts: 1,
        result: { n: i },
      });
      expect(d!.timeline.map((e) => e.status ?? e.kind)).toEqual(['published', 'completed']);
      // The big one is kept in the stream and read back by sequence.
      expect((d!.task!.payload as { n: number }).n).toBe(i);
    }
    expect(await state.get('never-published-late')).toBeUndefined();
    expect(state.index().ignored_events).toBeGreaterThanOrEqual(1);
    // Counts are the stream's own: the forged event is a stored `completed` message too.
    await until(async () => (state.counts().completed === N + 1 ? true : undefined), 'counts');
  });

  /**
   * Records go out without a PubAck each; the checkpoint's sequence shows how many the bucket
   * stored. Here the bucket refuses one (too large for its max_msg_size, which a publish with no
   * reply never hears about): the batch must not count as indexed, and once the bucket takes it
   * the record is written again (not taken from memory as if it had been stored).
   */
  it('does not take a record the bucket refused for stored, and writes it again', async () => {
    const js = jetstream(nc);
    const at = new Date().toISOString();
    const ids = ['refused-1', 'refused-2'];
    for (const id of ids) {
      const task = { id, type: 'echo', payload: {}, created_at: at };
      await js.publish('tasks.new', JSON.stringify(task), { headers: msgHeaders(id) });
    }
    const published = (await jsm.streams.info('TASKS')).state.last_seq;
    expect(await state.waitForSeq(published, 30_000)).toBe(true);
    const kvName = 'KV_jetdeck_tasks';
    const { config } = await jsm.streams.info(kvName);
    await jsm.streams.update(kvName, { ...config, max_msg_size: 900 });
    try {
      // refused-1's record grows past 900 bytes; refused-2's stays small and is stored.
      const big = { id: ids[0], status: 'completed', at, attempt: 1, worker: 'w', result: 'r'.repeat(800) };
      const small = { id: ids[1], status: 'completed', at, attempt: 1, worker: 'w', result: 1 };
      await js.publish('tasks.status.completed', JSON.stringify(small));
      const last = await js.publish('tasks.status.completed', JSON.stringify(big));
      await until(() => /index writes lost/.exec(state.index().last_error ?? ''), 'the lost write seen');
      expect(await state.waitForSeq(last.seq, 1000)).toBe(false);
      // Nor in the bucket: a writer taking over after a crash now must not skip the batch.
      const stored = await jsm.streams.getMessage(kvName, { last_by_subj: '$KV.jetdeck_tasks.m.checkpoint' });
      expect(stored!.json<{ seq: number }>().seq).toBeLessThan(last.seq);
      await jsm.streams.update(kvName, { ...config, max_msg_size: -1 });
      expect(await state.waitForSeq(last.seq, 30_000)).toBe(true);
    } finally {
      await jsm.streams.update(kvName, { ...config, max_msg_size: -1 });
    }
    for (const id of ids) expect(await state.detail(id)).toMatchObject({ id, status: 'completed' });
    expect((await state.detail(ids[0]))!.result).toBe('r'.repeat(800));
  });
});
