import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ApiError } from '../../api/errors';
import type { PoolStatus } from '../../api/features/workers';
import { WorkerPool } from '../../worker/pool';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import {
  StatusCollector,
  connectTo,
  makeTask,
  prepareTopology,
  publishMany,
  storedCompletions,
  waitUntil,
} from './helpers';

const handlersPath = fileURLToPath(new URL('./fixtures/crash-handlers.ts', import.meta.url));

let server: TestServer;
let nc: NatsConnection;
let js: JetStreamClient;
let events: StatusCollector;

beforeAll(async () => {
  server = await startServer();
  nc = await connectTo(server.url);
  js = jetstream(nc);
  await prepareTopology(nc, { ackWaitMs: 2000 });
  events = new StatusCollector(nc);
});

afterAll(async () => {
  await nc?.close();
  await stopAll();
});

/**
 * A started pool of its own for one test, stopped (at once) when the test's `await using`
 * block ends, so no test depends on what an earlier one left running.
 */
async function runningPool(threads: number, namePrefix: string) {
  const statuses: PoolStatus[] = [];
  const pool = new WorkerPool(
    {
      connect: { servers: [server.url], auth: { kind: 'none' } },
      threads,
      concurrency: 32,
      handlers: handlersPath,
      statsIntervalMs: 200,
      namePrefix,
    },
    { onStatus: (s) => statuses.push(s) },
  );
  const started = await pool.start();
  return {
    pool,
    started,
    statuses,
    [Symbol.asyncDispose]: async () => {
      await pool.stop(false);
    },
  };
}

const completedIds = (ids: Set<string>) =>
  new Set(events.events.filter((e) => e.status === 'completed' && ids.has(e.id)).map((e) => e.id));

describe('in-process worker pool', () => {
  it('starts 2 threads that share 500 echo tasks', async () => {
    await using p = await runningPool(2, 'share');
    const { pool, statuses } = p;
    expect(p.started.workers.map((w) => w.state)).toEqual(['running', 'running']);
    const tasks = Array.from({ length: 500 }, (_, i) => makeTask('echo', i));
    await publishMany(js, tasks);
    const ids = new Set(tasks.map((t) => t.id));
    await waitUntil(() => completedIds(ids).size === 500, 20_000, '500 completions');
    const workers = new Set(events.events.filter((e) => ids.has(e.id)).map((e) => e.worker));
    expect(workers).toEqual(new Set(['share-1', 'share-2']));
    await waitUntil(() => pool.status().totals.processed >= 500, 5000, 'stats to arrive');
    const card = pool.status().workers[0];
    expect(card.p99).toBeGreaterThan(0);
    expect(statuses.length).toBeGreaterThan(2);
  });

  it('uses the handlers module merged over the built-ins', async () => {
    await using _p = await runningPool(1, 'merged');
    const t = makeTask('shout', 'hi');
    await publishMany(js, [t]);
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'completed'));
    expect(events.of(t.id).find((e) => e.status === 'completed')!.result).toBe('HI');
  });

  it('scales 2 → 1 → 3 live without losing or double-reporting a task', async () => {
    await using p = await runningPool(2, 'scale');
    const { pool } = p;
    const tasks = Array.from({ length: 600 }, (_, i) => makeTask('sleep', { ms: 5 + (i % 5) }));
    const ids = new Set(tasks.map((t) => t.id));
    const publishing = publishMany(js, tasks);
    await waitUntil(() => completedIds(ids).size > 50, 10_000, 'some progress');
    let st = await pool.scale(1);
    expect(st.threads).toBe(1);
    await waitUntil(() => completedIds(ids).size > 200, 10_000, 'progress on 1 thread');
    st = await pool.scale(3);
    expect(st.workers.map((w) => w.id)).toEqual(['scale-1', 'scale-3', 'scale-4']);
    await publishing;
    await waitUntil(() => completedIds(ids).size === 600, 30_000, '600 completions');
    const stored = await storedCompletions(nc);
    for (const id of ids) expect(stored.get(id)).toBe(1);
    // The threads added by the scale-up take work too.
    const more = Array.from({ length: 300 }, () => makeTask('sleep', { ms: 20 }));
    const moreIds = new Set(more.map((t) => t.id));
    await publishMany(js, more);
    await waitUntil(() => completedIds(moreIds).size === 300, 20_000, '300 more completions');
    const late = new Set(
      events.events.filter((e) => moreIds.has(e.id) && e.status === 'completed').map((e) => e.worker),
    );
    expect(late).toEqual(new Set(['scale-1', 'scale-3', 'scale-4']));
  });

  it('restarts a crashed thread; its task is redelivered and completes', async () => {
    await using p = await runningPool(2, 'crash');
    const { pool } = p;
    const t = makeTask('crash', {});
    await publishMany(js, [t]);
    await waitUntil(() => pool.status().workers.some((w) => w.restarts > 0), 15_000, 'a restart');
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'completed'), 30_000);
    const done = events.of(t.id).find((e) => e.status === 'completed')!;
    expect(done.attempt).toBe(2);
    await waitUntil(
      () => pool.status().workers.every((w) => w.state === 'running'),
      30_000,
      'all running again',
    );
    const crashed = pool.status().workers.find((w) => w.restarts > 0)!;
    expect(crashed.lastError).toContain('deliberate crash');
  });

  it('gives up on a handler that hangs past its timeout; the redelivery completes', async () => {
    await using _p = await runningPool(1, 'hang');
    const t = makeTask('hang', {});
    await publishMany(js, [t]);
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'completed'), 15_000);
    const mine = events.of(t.id);
    expect(mine.find((e) => e.status === 'completed')!.attempt).toBe(2);
    // The worker saw the hung first attempt time out and said so.
    const first = mine.filter((e) => e.attempt === 1);
    expect(first.map((e) => e.status)).toEqual(['processing', 'retrying']);
    expect(first[1].error).toMatch(/timed out after 1800 ms/);
  });

  it('stops gracefully: the tasks in flight finish first, none is redelivered', async () => {
    await using p = await runningPool(2, 'graceful');
    const { pool } = p;
    const tasks = Array.from({ length: 20 }, () => makeTask('sleep', { ms: 400 }));
    const ids = new Set(tasks.map((t) => t.id));
    await publishMany(js, tasks);
    const processing = () =>
      new Set(events.events.filter((e) => ids.has(e.id) && e.status === 'processing').map((e) => e.id));
    await waitUntil(() => processing().size >= 10, 10_000, 'tasks in flight');
    const inFlight = processing();
    const st = await pool.stop(true);
    expect(st.state).toBe('stopped');
    expect(st.threads).toBe(0);
    // Every task that was running when stop was asked completed on its first attempt.
    const stored = await storedCompletions(nc);
    for (const id of inFlight) {
      expect(stored.get(id), id).toBe(1);
      expect(events.of(id).find((e) => e.status === 'completed')?.attempt, id).toBe(1);
    }
  });

  it('rejects a handlers module with a non-function handler, clearly', async () => {
    const bad = new WorkerPool({
      connect: { servers: [server.url], auth: { kind: 'none' } },
      threads: 1,
      concurrency: 1,
      handlers: fileURLToPath(new URL('./fixtures/bad-handlers.ts', import.meta.url)),
    });
    const err = await bad.start().catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/"broken" is not a function \(got number\)/);
    // The thread's error crossed as an envelope: its code and name survive.
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'invalid_input', name: 'HandlerModuleError' });
    expect(bad.status().state).toBe('stopped');
  });
});
