import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { builtinHandlers } from '../../worker/handlers/builtin';
import { WorkerRuntime } from '../../worker/runtime';
import { ensureTopology } from '../../nats/topology';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, type TestServer } from '../harness/nats-server';
import { seedCompleted, taskId } from '../harness/seed-tasks';
import { until } from './helpers';
import { codeOf } from '../harness/fixtures';

/**
 * Task state served from JetStream (KV records by id, counts from the stream, a bounded
 * window): start-up that does not read the history, lookups of any retained task, counts
 * that match the stream, and a feed that recovers and says when it lags.
 */
describe('task state in JetStream', () => {
  const HISTORY = 50_000;
  let server: TestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const cores: TestCore[] = [];
  const newCore = async () => {
    const t = makeTestCore();
    cores.push(t);
    await t.connectTo(server.url);
    await until(async () => (await t.call('tasks.list', { limit: 1 })).ready, 'task list ready', 20_000);
    return t;
  };
  const indexed = async (t: TestCore, seq: number) =>
    until(
      async () => {
        const i = (await t.call('tasks.list', { limit: 1 })).index;
        return i && i.indexed_seq >= seq && i.lag === 0 ? i : undefined;
      },
      `state indexed up to ${seq}`,
      60_000,
    );

  beforeAll(async () => {
    server = await startServer();
    nc = await connect({ servers: server.url, noAsyncTraces: true });
    jsm = await jetstreamManager(nc);
    await ensureTopology(jsm);
    await seedCompleted(nc, 0, HISTORY);
    // The history as JetDeck leaves it when it runs while the work happens: indexed once.
    const builder = await newCore();
    await indexed(builder, 2 * HISTORY);
    await builder.dispose();
    cores.splice(cores.indexOf(builder), 1);
  }, 180_000);
  // Each test starts with no JetDeck running (a disposed core hands its writer lease back).
  afterEach(async () => {
    for (const t of cores.splice(0)) await t.dispose();
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  it('a fresh start reads the newest records only, finds the oldest task by id and counts what the stream holds', async () => {
    const t = await newCore();
    const list = await t.call('tasks.list', { limit: 100 });
    expect(list.ready).toBe(true);
    // Start-up reads a bounded window, not the history (2 messages per task in TASKS).
    expect(list.index!.messages_read).toBeLessThan(HISTORY / 2);
    expect(list.index!.window).toBeLessThan(HISTORY);
    expect(list.counts).toMatchObject({ total: HISTORY, completed: HISTORY, pending: 0, failed: 0 });
    expect(list.tasks[0].id).toBe(taskId(HISTORY - 1));
    // The oldest task is far outside the window: found through its record in the bucket.
    expect(list.index!.window_from_seq).toBeGreaterThan(1);
    const oldest = await t.call('tasks.get', { id: taskId(0) });
    expect(oldest).toMatchObject({ id: taskId(0), status: 'completed', seq: 1 });
    expect(oldest.timeline.map((e) => e.status ?? e.kind)).toEqual(['published', 'completed']);
    expect(await codeOf(t.call('tasks.get', { id: 'never-published' }))).toBe('not_found');
  });

  it('serves its first page before the whole window is read, and a later page waits for the rest', async () => {
    const t = await newCore();
    // Straight after ready, page down the whole window: no task is skipped, none repeats.
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.call('tasks.list', { limit: 1000, cursor });
      ids.push(...page.tasks.map((x) => x.id));
      cursor = page.next;
    } while (cursor);
    const index = (await t.call('tasks.list', { limit: 1 })).index!;
    expect(index.window_filling).toBeUndefined();
    expect(ids.length).toBe(index.window);
    expect(ids.length).toBeGreaterThanOrEqual(10_000);
    expect(ids).toEqual(ids.map((_, i) => taskId(HISTORY - 1 - i)));
  });

  it('a forged terminal event for an unknown id creates no task and no dead letter', async () => {
    const t = await newCore();
    const ev = {
      id: 'ghost-1',
      status: 'failed',
      at: new Date().toISOString(),
      attempt: 3,
      worker: 'x',
      error: 'e',
    };
    const pa = await jetstream(nc).publish('tasks.status.failed', JSON.stringify(ev));
    const i = await indexed(t, pa.seq);
    expect(i.ignored_events).toBeGreaterThanOrEqual(1);
    expect(await codeOf(t.call('tasks.get', { id: 'ghost-1' }))).toBe('not_found');
    const dead = (await t.call('tasks.deadLetters.list', { includeResolved: true })).deadLetters;
    expect(dead.map((d) => d.id)).not.toContain('ghost-1');
  });

  it('a task whose JSON id is invalid but whose Nats-Msg-Id is valid makes one entry', async () => {
    const t = await newCore();
    // A typed lane of its own: the seeded history still waits on the default lane.
    const worker = new WorkerRuntime({
      nc,
      name: 'w-state',
      concurrency: 2,
      handlers: builtinHandlers,
      types: ['badtype'],
    });
    await worker.start();
    try {
      const h = headers();
      h.set('Nats-Msg-Id', 'msgid-of-bad-task');
      const body = {
        id: 'not a valid id',
        type: 'badtype',
        payload: 1,
        created_at: new Date().toISOString(),
      };
      await jetstream(nc).publish('tasks.typed.badtype', JSON.stringify(body), { headers: h });
      const d = await until(async () => {
        const x = await t.call('tasks.get', { id: 'msgid-of-bad-task' }).catch(() => undefined);
        return x?.status === 'failed' ? x : undefined;
      }, 'the invalid task reported failed under its Nats-Msg-Id');
      expect(d.last_error).toMatch(/invalid task message/);
      // The live list follows its feed: wait for the entry rather than assume it is there already.
      const listed = await until(async () => {
        const l = (await t.call('tasks.list', { limit: 50 })).tasks.filter(
          (x) => x.id === 'msgid-of-bad-task' || x.id === 'not a valid id',
        );
        return l.length ? l : undefined;
      }, 'the invalid task in the live list');
      expect(listed).toHaveLength(1);
      expect(listed[0].status).toBe('failed');
    } finally {
      await worker.drain();
    }
  });

  it('recovers when its feed consumer is deleted, and a second process sees the same state', async () => {
    const a = await newCore();
    const b = await newCore();
    const writer = async () =>
      until(async () => {
        const [ia, ib] = await Promise.all(
          [a, b].map(async (t) => (await t.call('tasks.list', { limit: 1 })).index!),
        );
        return ia.role === 'writer'
          ? { w: a, r: b, iw: ia }
          : ib.role === 'writer'
            ? { w: b, r: a, iw: ib }
            : undefined;
      }, 'one writer');
    const { w, r } = await writer();
    // Delete the writer's feed consumer under it (as a node loss or an operator would).
    const feeds: string[] = [];
    for await (const ci of jsm.consumers.list('TASKS')) if (!ci.config.durable_name) feeds.push(ci.name);
    expect(feeds.length).toBeGreaterThan(0);
    for (const name of feeds) await jsm.consumers.delete('TASKS', name);
    const p = await w.call('tasks.publish', { type: 'parked-state', route: 'typed', payload: 1 });
    const after = await until(
      async () => {
        const i = (await w.call('tasks.list', { limit: 1 })).index!;
        return i.recoveries > 0 && i.indexed_seq >= p.seq ? i : undefined;
      },
      'the writer recreated its feed and read the new task',
      20_000,
    );
    expect(after.lag).toBe(0);
    // The reader finds it by id and in its live list (from the bucket's updates).
    await until(
      async () => (await r.call('tasks.list', { limit: 20 })).tasks.some((x) => x.id === p.task.id),
      'the reader lists the new task',
    );
    expect((await r.call('tasks.get', { id: p.task.id })).status).toBe('pending');
  });
});
