import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { SUBJECTS, TASKS_STREAM } from '../../api/task-wire';
import { builtinHandlers } from '../../worker/handlers/builtin';
import { WorkerRuntime } from '../../worker/runtime';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { StatusCollector, connectTo, makeTask, publishTask, storedEvents, waitUntil } from './helpers';

let server: TestServer;
let nc: NatsConnection;
let js: JetStreamClient;
let events: StatusCollector;
let runtime: WorkerRuntime;
let workerNc: NatsConnection;

beforeAll(async () => {
  server = await startServer();
  nc = await connectTo(server.url);
  js = jetstream(nc);
  events = new StatusCollector(nc);
  workerNc = await connectTo(server.url);
  runtime = new WorkerRuntime({
    nc: workerNc,
    name: 'test-worker',
    concurrency: 4,
    handlers: builtinHandlers,
    backoffMs: [50, 50],
  });
  await runtime.start();
});

afterAll(async () => {
  await runtime?.drain();
  await workerNc?.close();
  await nc?.close();
  await stopAll();
});

describe('worker runtime', () => {
  it('creates the TASKS stream and the lane consumers per the design', async () => {
    const jsm = await jetstreamManager(nc);
    const si = await jsm.streams.info(TASKS_STREAM);
    expect(si.config.retention).toBe('limits');
    expect(si.config.duplicate_window).toBe(3600 * 1e9);
    const ci = await jsm.consumers.info(TASKS_STREAM, 'task-workers');
    expect(ci.config.filter_subject).toBe('tasks.new');
    expect(ci.config.max_deliver).toBe(3);
    expect(ci.config.deliver_policy).toBe('all');
    expect((await jsm.consumers.info(TASKS_STREAM, 'task-workers-high')).config.filter_subject).toBe(
      'tasks.high',
    );
    // Earlier cancellations were read at start with a consumer that ended with the read.
    const left: string[] = [];
    for await (const c of jsm.consumers.list(TASKS_STREAM)) {
      const filters = [c.config.filter_subject, ...(c.config.filter_subjects ?? [])];
      if (filters.includes(SUBJECTS.delete)) left.push(c.name);
    }
    expect(left).toEqual([]);
  });

  it('processes a task published by plain nats.js and reports completed once', async () => {
    const t = makeTask('echo', { hello: 'world' });
    await publishTask(js, t);
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'completed'));
    const done = events.of(t.id).find((e) => e.status === 'completed')!;
    expect(done.result).toEqual({ hello: 'world' });
    expect(done.attempt).toBe(1);
    expect(done.worker).toBe('test-worker');
    expect(done.duration_ms).toBeGreaterThanOrEqual(0);
    expect(done.started_at).toBeTruthy();
  });

  it('processes a task published without Nats-Msg-Id', async () => {
    const t = makeTask('echo', 1);
    await js.publish(SUBJECTS.new, JSON.stringify(t));
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'completed'));
  });

  it('retries a flaky task with retrying events, then completes', async () => {
    const t = makeTask('flaky', { failTimes: 2 });
    await publishTask(js, t);
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'completed'));
    const mine = events.of(t.id);
    const retrying = mine.filter((e) => e.status === 'retrying');
    expect(retrying.map((e) => e.attempt)).toEqual([1, 2]);
    expect(retrying[0].error).toContain('failing attempt 1');
    expect(mine.find((e) => e.status === 'completed')!.attempt).toBe(3);
    // Redeliveries announce themselves as processing.
    expect(mine.some((e) => e.status === 'processing' && e.attempt === 2)).toBe(true);
  });

  it('fails after max attempts with every error reported and a terminated advisory', async () => {
    const advisories: unknown[] = [];
    const sub = nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${TASKS_STREAM}.*`, {
      callback: (_e, m) => {
        advisories.push(JSON.parse(m.string()));
      },
    });
    await nc.flush();
    const t = makeTask('fail', { message: 'boom' });
    await publishTask(js, t);
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'failed'));
    const mine = events.of(t.id);
    expect(mine.filter((e) => e.status === 'retrying').map((e) => [e.attempt, e.error])).toEqual([
      [1, 'boom'],
      [2, 'boom'],
    ]);
    const failed = mine.find((e) => e.status === 'failed')!;
    expect(failed).toMatchObject({ attempt: 3, error: 'boom' });
    await waitUntil(() => advisories.length > 0, 5000, 'MSG_TERMINATED advisory');
    expect(advisories[0]).toMatchObject({ stream: TASKS_STREAM, consumer: 'task-workers', deliveries: 3 });
    sub.unsubscribe();
  });

  it('fails an unknown type at once with "no handler for type X"', async () => {
    const t = makeTask('nosuchtype', {});
    await publishTask(js, t);
    const all = await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'failed'));
    // The worker's own report (the advisory bridge's copy of the record carries a note).
    const mine = all.filter((e) => e.id === t.id && e.note === undefined);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 'failed', attempt: 1, error: 'no handler for type nosuchtype' });
    // Stored once, whoever else (the advisory bridge) wrote the same record.
    const stored = await storedEvents(nc, 'failed', t.id);
    expect(stored, JSON.stringify(stored)).toHaveLength(1);
    expect(stored[0]).toMatchObject({ worker: 'test-worker', type: 'nosuchtype' });
  });

  it('fails a message that is not a task (bad JSON) with its msg id', async () => {
    await js.publish(SUBJECTS.new, 'not json {', { msgID: 'bad-json-1' });
    const all = await events.waitFor((e) => e.some((x) => x.id === 'bad-json-1'));
    expect(all.find((e) => e.id === 'bad-json-1')).toMatchObject({ status: 'failed' });
    expect(all.find((e) => e.id === 'bad-json-1')!.error).toContain('invalid task message');
  });

  it('skips a task cancelled before it runs', async () => {
    const t = makeTask('echo', 'never');
    nc.publish(SUBJECTS.delete, JSON.stringify({ id: t.id }));
    await nc.flush();
    await new Promise((r) => setTimeout(r, 50)); // the worker's core subscription sees it
    await publishTask(js, t);
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'cancelled'));
    expect(events.of(t.id).some((e) => e.status === 'completed')).toBe(false);
  });

  it('aborts a running task on cancel and reports cancelled', async () => {
    const t = makeTask('sleep', { ms: 20_000 });
    await publishTask(js, t);
    await waitUntil(() => runtime.snapshot().current.some((c) => c.id === t.id), 5000, 'task running');
    nc.publish(SUBJECTS.delete, JSON.stringify({ id: t.id }));
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'cancelled'), 5000);
    expect(events.of(t.id).some((e) => e.status === 'completed')).toBe(false);
  });

  it('takes high-priority tasks before queued normal ones', async () => {
    // Fill the worker (concurrency 4) with slow tasks, queue normal then high ones behind them.
    const blockers = Array.from({ length: 4 }, () => makeTask('sleep', { ms: 400 }));
    for (const b of blockers) await publishTask(js, b);
    await waitUntil(() => runtime.snapshot().inFlight === 4, 5000, 'worker busy');
    const normal = Array.from({ length: 20 }, () => makeTask('echo', 'n'));
    const high = Array.from({ length: 4 }, () => makeTask('echo', 'h', { priority: 'high' }));
    for (const n of normal) await publishTask(js, n);
    for (const h of high) await publishTask(js, h, SUBJECTS.high);
    const ids = new Set([...normal, ...high].map((t) => t.id));
    await events.waitFor(
      (e) => e.filter((x) => ids.has(x.id) && x.status === 'completed').length === ids.size,
    );
    const order = events.events.filter((x) => ids.has(x.id) && x.status === 'completed').map((x) => x.id);
    const highIds = new Set(high.map((h) => h.id));
    const lastHigh = Math.max(...order.map((id, i) => (highIds.has(id) ? i : -1)));
    // The prefetch window (concurrency 4 + prefetch 4) may hold a few normal tasks already.
    expect(lastHigh).toBeLessThan(12);
  });

  it('recreates its consumer when it is deleted underneath it', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(TASKS_STREAM, 'task-workers').catch((err: Error) => {
      // nats-server 2.9 may fail to remove the consumer's directory while acks of the previous
      // test are still being written; the consumer is gone all the same.
      if (!/directory not empty/.test(err.message)) throw err;
    });
    await waitUntil(
      () =>
        jsm.consumers.info(TASKS_STREAM, 'task-workers').then(
          () => true,
          () => false,
        ),
      10_000,
      'consumer recreated',
    );
    const info = await jsm.consumers.info(TASKS_STREAM, 'task-workers');
    // Recreated from about a minute back, not from the start of the stream.
    expect(info.config.deliver_policy).toBe('by_start_time');
    const t = makeTask('echo', 'after');
    await publishTask(js, t);
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'completed'), 10_000);
  });

  it('a pool limited to some types consumes only their typed lanes', async () => {
    const typedNc = await connectTo(server.url);
    const typed = new WorkerRuntime({
      nc: typedNc,
      name: 'typed-worker',
      concurrency: 2,
      types: ['cpu'],
      handlers: builtinHandlers,
    });
    await typed.start();
    const t = makeTask('cpu', { ms: 1 });
    await publishTask(js, t, SUBJECTS.typed('cpu'));
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'completed'));
    expect(events.of(t.id).find((e) => e.status === 'completed')!.worker).toBe('typed-worker');
    const jsm = await jetstreamManager(nc);
    expect((await jsm.consumers.info(TASKS_STREAM, 'task-workers-typed-cpu')).config.filter_subject).toBe(
      'tasks.typed.cpu',
    );
    await typed.drain();
    await typedNc.close();
  });

  it('exposes stats', () => {
    const s = runtime.snapshot();
    expect(s.processed).toBeGreaterThan(5);
    expect(s.failed).toBeGreaterThanOrEqual(3);
    expect(s.retried).toBeGreaterThanOrEqual(4);
    expect(s.p50).toBeGreaterThan(0);
    expect(s.p99).toBeGreaterThanOrEqual(s.p50);
  });
});
