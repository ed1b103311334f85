import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscardPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { TASKS_STREAM } from '../../api/task-wire';
import { wantedStreamConfig } from '../../nats/topology';
import { builtinHandlers } from '../../worker/handlers/builtin';
import type { HandlerMap } from '../../worker/handlers/types';
import { WorkerRuntime } from '../../worker/runtime';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import {
  StatusCollector,
  connectTo,
  makeTask,
  prepareTopology,
  publishTask,
  storedEvents,
  waitUntil,
} from './helpers';

/**
 * The worker runtime on a real server with a 1 s ack wait: slots held by handlers that ignore
 * their abort signal, built-in long handlers kept alive, results that cannot be stored.
 */
let server: TestServer;
let nc: NatsConnection;
let events: StatusCollector;
let runtime: WorkerRuntime | undefined;
let runtimeNc: NatsConnection | undefined;
const logs: string[] = [];

/** Runs of each task id going on right now, and the most seen at once. */
const live = new Map<string, number>();
const peak = new Map<string, number>();
let releaseStubborn: (() => void)[] = [];

const handlers: HandlerMap = {
  ...builtinHandlers,
  /** Ignores its abort signal; settles only when the test releases it. */
  stubborn: (task) => {
    live.set(task.id, (live.get(task.id) ?? 0) + 1);
    peak.set(task.id, Math.max(peak.get(task.id) ?? 0, live.get(task.id)!));
    return new Promise<void>((resolve) =>
      releaseStubborn.push(() => {
        live.set(task.id, live.get(task.id)! - 1);
        resolve();
      }),
    );
  },
  big: () => 'x'.repeat(1100 * 1024),
};

/** A new TASKS stream and lanes (1 s ack wait): nothing left over from an earlier case. */
async function fresh(): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(TASKS_STREAM).catch(() => false);
  await prepareTopology(nc, { ackWaitMs: 1000 });
}

async function startRuntime(concurrency = 4, extra: { prefetch?: number } = {}): Promise<WorkerRuntime> {
  runtimeNc = await connectTo(server.url);
  runtime = new WorkerRuntime({
    nc: runtimeNc,
    name: 'rt',
    concurrency,
    handlers,
    backoffMs: [100],
    ...extra,
    log: (level, m) => logs.push(`${level}: ${m}`),
  });
  await runtime.start();
  return runtime;
}

beforeAll(async () => {
  server = await startServer();
  nc = await connectTo(server.url);
  events = new StatusCollector(nc);
});

afterEach(async () => {
  releaseStubborn.forEach((r) => r());
  releaseStubborn = [];
  await runtime?.stop();
  await runtimeNc?.close();
  runtime = undefined;
});

afterAll(async () => {
  await nc?.close();
  await stopAll();
});

describe('worker runtime: slots, heartbeats and results that cannot be stored', () => {
  it('a handler ignoring its abort keeps its slot until it settles; its task never runs twice at once', async () => {
    await fresh();
    const rt = await startRuntime(4);
    const t = makeTask('stubborn', {});
    await publishTask(jetstream(nc), t);
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'failed'), 20_000);
    // Three deliveries, one run: the redeliveries were refused while attempt 1 still ran.
    expect(peak.get(t.id)).toBe(1);
    const failed = events.of(t.id).find((e) => e.status === 'failed')!;
    expect(failed).toMatchObject({ attempt: 3, worker: 'rt' });
    expect(failed.error).toMatch(
      /attempt 1 of this task is still running on rt: its handler ignored the abort/,
    );
    // Its slot is still taken (the handler has not settled)...
    expect(rt.snapshot().inFlight).toBe(1);
    expect(rt.snapshot().current.map((c) => c.id)).toEqual([t.id]);
    // ...and comes free when it does.
    releaseStubborn.splice(0).forEach((r) => r());
    await waitUntil(() => rt.snapshot().inFlight === 0, 5000, 'slot freed');
  });

  it('a slot held by such a handler is not handed to another task', async () => {
    await fresh();
    // Room to prefetch the echo beside the stuck task's redeliveries: under load the 1 s ack
    // wait can expire before the timed-out run's nak, and a redelivery takes a prefetched place.
    const rt = await startRuntime(1, { prefetch: 4 });
    const stuck = makeTask('stubborn', {});
    await publishTask(jetstream(nc), stuck);
    await events.waitFor((e) => e.some((x) => x.id === stuck.id && x.status === 'retrying'), 10_000);
    const next = makeTask('echo', 'after');
    const ack = await jetstream(nc).publish('tasks.new', JSON.stringify(next), { msgID: next.id });
    // The echo reaches the worker, but the only slot is busy with the timed-out run: it waits.
    const jsm = await jetstreamManager(nc);
    await waitUntil(
      async () => (await jsm.consumers.info(TASKS_STREAM, 'task-workers')).delivered.stream_seq >= ack.seq,
      20_000,
      'echo delivered',
    );
    expect(events.of(next.id).some((e) => e.status === 'completed')).toBe(false);
    expect(rt.snapshot().processed).toBe(0);
    expect(rt.snapshot().inFlight).toBe(1);
    // Released, the slot goes to what waits: a queued redelivery of the stuck task may run
    // first (and be released in turn), then the echo.
    await waitUntil(
      () => {
        releaseStubborn.splice(0).forEach((r) => r());
        return events.of(next.id).some((e) => e.status === 'completed');
      },
      10_000,
      'echo completed',
    );
  });

  it('sleep and cpu heartbeat often enough for a 1 s ack wait', async () => {
    await fresh();
    await startRuntime(2);
    const sleep = makeTask('sleep', { ms: 3000 });
    const cpu = makeTask('cpu', { ms: 2500 });
    await publishTask(jetstream(nc), sleep);
    await publishTask(jetstream(nc), cpu);
    for (const t of [sleep, cpu]) {
      await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'completed'), 15_000);
      const mine = events.of(t.id);
      expect(mine.find((e) => e.status === 'completed')!.attempt).toBe(1);
      expect(mine.filter((e) => e.status === 'retrying' || e.attempt > 1)).toEqual([]);
    }
  });

  it('a result too large for max_payload fails the task at once, with the reason', async () => {
    await fresh();
    const rt = await startRuntime(2);
    const t = makeTask('big', {});
    await publishTask(jetstream(nc), t);
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'failed'), 10_000);
    const mine = events.of(t.id).filter((e) => !e.note);
    expect(mine.map((e) => [e.status, e.attempt])).toEqual([['failed', 1]]);
    expect(mine[0].error).toMatch(
      /^result too large to report: \d+ bytes; the server's max_payload is 1048576/,
    );
    expect(rt.snapshot().failed).toBe(1);
    // Terminated, not left for redelivery.
    const jsm = await jetstreamManager(nc);
    await waitUntil(
      async () => (await jsm.consumers.info(TASKS_STREAM, 'task-workers')).num_ack_pending === 0,
      5000,
      'terminated',
    );
    expect((await jsm.consumers.info(TASKS_STREAM, 'task-workers')).num_redelivered).toBe(0);
  });

  it('a full stream (discard new) fails the task at once: logged and terminated, not retried', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(TASKS_STREAM);
    // Room for the tasks and nothing else: every status event is refused.
    await jsm.streams.add({ ...wantedStreamConfig(1), max_msgs: 3, discard: DiscardPolicy.New });
    await prepareTopology(nc, { ackWaitMs: 1000 });
    const tasks = [1, 2, 3].map((i) => makeTask('echo', i));
    for (const t of tasks) await publishTask(jetstream(nc), t);
    const rt = await startRuntime(4);
    await waitUntil(() => rt.snapshot().failed === 3, 10_000, 'three tasks failed');
    await waitUntil(
      async () => (await jsm.consumers.info(TASKS_STREAM, 'task-workers')).num_ack_pending === 0,
      5000,
      'terminated',
    );
    const ci = await jsm.consumers.info(TASKS_STREAM, 'task-workers');
    expect(ci.num_ack_pending).toBe(0);
    expect(ci.num_redelivered).toBe(0);
    expect(ci.delivered.consumer_seq).toBe(3);
    const full = logs.filter((l) => /stream full, result not stored: maximum messages exceeded/.test(l));
    expect(full).toHaveLength(3);
    expect(full[0]).toMatch(/its failed event was refused too \(maximum messages exceeded\); terminated/);
    expect(await storedEvents(nc, 'failed')).toEqual([]);
    await jsm.streams.delete(TASKS_STREAM);
  });
});
