import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { TASKS_STREAM } from '../../api/task-wire';
import { ensureStream, lanesFor, wantedLaneConfig } from '../../nats/topology';
import { makeTestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { spawnWorker, type WorkerProcess } from './exactly-once';
import { StatusCollector, connectTo, makeTask, publishTask, storedEvents, waitUntil } from './helpers';

/**
 * Terminal states with only headless `jetdeck worker` processes running (no app, no serve):
 * a task whose handler hangs past ack wait on every attempt, and a task whose workers are
 * killed mid-task until its deliveries run out, both end `failed` in the stream, once; a core
 * started afterwards lists them as dead letters.
 */
const handlers = fileURLToPath(new URL('./fixtures/terminal-handlers.ts', import.meta.url));

let server: TestServer;
let nc: NatsConnection;
let events: StatusCollector;
const workers: WorkerProcess[] = [];

/** Lane consumers with a short ack wait and the given max deliver. */
async function lanes(maxDeliver: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, 1);
  for (const lane of lanesFor()) {
    await jsm.consumers.delete(TASKS_STREAM, lane.consumer).catch(() => false);
    await jsm.consumers.add(TASKS_STREAM, {
      ...wantedLaneConfig(lane),
      ack_wait: nanos(1000),
      max_deliver: maxDeliver,
    });
  }
}

function worker(name: string): WorkerProcess {
  const w = spawnWorker([server.url], name, 4, ['--handlers', handlers]);
  workers.push(w);
  return w;
}

async function stopWorkers(): Promise<void> {
  for (const w of workers.splice(0)) {
    if (w.proc.exitCode === null && w.proc.signalCode === null) {
      w.proc.kill('SIGKILL');
      await w.exited;
    }
  }
}

beforeAll(async () => {
  server = await startServer();
  nc = await connectTo(server.url);
  events = new StatusCollector(nc);
});

// Also after a failed test, so its workers cannot recreate the next test's lane consumers.
afterEach(stopWorkers);

afterAll(async () => {
  await stopWorkers();
  await nc?.close();
  await stopAll();
});

describe('terminal states without the app', () => {
  it('a handler that hangs past ack wait on every attempt ends failed, reported by its worker', async () => {
    await lanes(3);
    const w = worker('hw-1');
    await w.running;
    const t = makeTask('hang', {});
    await publishTask(jetstream(nc), t);
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'failed'), 20_000);
    await waitUntil(async () => (await storedEvents(nc, 'failed', t.id)).length > 0, 5000, 'stored');
    const stored = await storedEvents(nc, 'failed', t.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ worker: 'hw-1', attempt: 3, type: 'hang' });
    // The run of attempt 1 never settles: later deliveries were not run beside it.
    expect(stored[0].error).toMatch(/attempt 1 of this task is still running on hw-1/);
    // By attempt, not stream order: under load the 1 s ack wait can redeliver (and attempt 2 be
    // reported) before attempt 1's 900 ms timer has fired.
    const retrying = (await storedEvents(nc, 'retrying', t.id))
      .map((e) => [e.attempt, e.error])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(retrying).toEqual([
      [1, expect.stringMatching(/^timed out after 900 ms/)],
      [2, expect.stringMatching(/^attempt 1 of this task is still running on hw-1/)],
    ]);
  });

  it('a task whose workers die mid-task ends failed from the max-deliveries advisory, once; dead letters show it later', async () => {
    await lanes(2);
    for (const n of ['kw-1', 'kw-2', 'kw-3']) await worker(n).running;
    const byName = new Map(workers.map((w, i) => [`kw-${i + 1}`, w]));
    // A long sleep heartbeats, so only its worker's death ends a delivery.
    const t = makeTask('sleep', { ms: 120_000 });
    await publishTask(jetstream(nc), t);
    const killed: string[] = [];
    for (const attempt of [1, 2]) {
      await events.waitFor(
        (e) => e.some((x) => x.id === t.id && x.status === 'processing' && x.attempt === attempt),
        20_000,
        `attempt ${attempt} running`,
      );
      const ev = events.of(t.id).find((x) => x.status === 'processing' && x.attempt === attempt)!;
      const w = byName.get(ev.worker)!;
      w.proc.kill('SIGKILL');
      await w.exited;
      killed.push(ev.worker);
    }
    await waitUntil(async () => (await storedEvents(nc, 'failed', t.id)).length > 0, 20_000, 'failed stored');
    const survivor = [...byName.keys()].find((n) => !killed.includes(n))!;
    const stored = await storedEvents(nc, 'failed', t.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ note: 'max_deliveries', attempt: 2, type: 'sleep', worker: survivor });
    expect(stored[0].error).toMatch(/max deliveries \(2\) reached .* without a result from any worker/);

    // A core started later finds it among the dead letters.
    const core = makeTestCore();
    try {
      await core.connectTo(server.url);
      await waitUntil(
        async () =>
          (await core.call('tasks.deadLetters.list', { q: t.id })).deadLetters.some((d) => d.id === t.id),
        10_000,
        'dead letter listed',
      );
      const dl = (await core.call('tasks.deadLetters.list', { q: t.id })).deadLetters[0];
      expect(dl).toMatchObject({ id: t.id, type: 'sleep', reason: 'max_deliveries' });
    } finally {
      await core.dispose();
    }
  });
});
