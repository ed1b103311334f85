import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TypeStatsReport } from '../../api/features/type-stats';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, type TestServer } from '../harness/nats-server';
import { pollUntil } from '../harness/poll';
import { connectTo, makeTask, publishMany } from '../workers/helpers';
import { spawnFleetWorker, type FleetProcess } from '../fleet/helpers';

/**
 * workers.typeStats covers every worker, not only this process's pool: a headless `jetdeck worker`
 * process reports its per-type counters in its service's STATS data, and the app sums them with
 * its own pool's.
 */
describe('per task type stats of the fleet', () => {
  let server: TestServer;
  let tc: TestCore;
  let nc: NatsConnection;
  let worker: FleetProcess;

  beforeAll(async () => {
    server = await startServer();
    tc = makeTestCore();
    await tc.connectTo(server.url);
    nc = await connectTo(server.url);
    worker = spawnFleetWorker([server.url], 'typed-remote', ['--concurrency', '8']);
    await worker.registered;
  }, 60_000);
  afterAll(async () => {
    worker?.kill();
    await tc?.call('workers.stop', { graceful: false }).catch(() => undefined);
    await nc?.close();
    await tc?.dispose();
    await server?.dispose();
  });

  const row = (r: TypeStatsReport, type: string) => r.types.find((t) => t.type === type);

  it("a jetdeck worker's types, with no pool in this process", async () => {
    // An idle first reading gives the rates a base.
    expect(await tc.call('workers.typeStats')).toMatchObject({ pool: false, workers: 1, types: [] });
    await publishMany(jetstream(nc), [
      ...Array.from({ length: 10 }, (_, i) => makeTask('echo', { i })),
      ...Array.from({ length: 3 }, () => ({ ...makeTask('fail', { message: 'no' }), max_attempts: 1 })),
    ]);
    const rep = await pollUntil(() => tc.call('workers.typeStats'), {
      what: "the remote worker's 10 echo and 3 failed tasks, over a window",
      timeoutMs: 30_000,
      intervalMs: 250,
      ok: (r) => row(r, 'echo')?.processed === 10 && row(r, 'fail')?.failed === 3 && r.windowSec > 0,
    });
    expect(rep).toMatchObject({ pool: false, workers: 1 });
    expect(row(rep, 'echo')).toMatchObject({ failureRate: 0, workers: 1 });
    expect(row(rep, 'echo')!.p50).toBeGreaterThan(0);
    expect(row(rep, 'echo')!.throughput).toBeGreaterThan(0);
    expect(row(rep, 'fail')).toMatchObject({ failureRate: 1, processed: 0, p50: null });
  });

  it('sums the pool and the remote worker; a worker that goes leaves the figures', async () => {
    await tc.call('workers.start', { threads: 1, concurrency: 8 });
    await pollUntil(() => tc.call('workers.typeStats'), {
      what: 'the pool and the remote worker both counted',
      timeoutMs: 15_000,
      intervalMs: 250,
      ok: (r) => r.pool && r.workers === 2,
    });
    await publishMany(
      jetstream(nc),
      Array.from({ length: 40 }, (_, i) => makeTask('echo', { i })),
    );
    // 50 echo tasks in all, whoever ran them: the sum over both workers says 50.
    const both = await pollUntil(() => tc.call('workers.typeStats'), {
      what: '50 echo tasks over the pool and the remote worker',
      timeoutMs: 30_000,
      intervalMs: 250,
      ok: (r) => row(r, 'echo')?.processed === 50,
    });
    expect(both.workers).toBe(2);
    const remote = worker;
    remote.kill();
    await remote.exited;
    // Its counters leave with it: what is left is the pool's share.
    const after = await pollUntil(() => tc.call('workers.typeStats'), {
      what: 'the killed worker left out',
      timeoutMs: 15_000,
      intervalMs: 250,
      ok: (r) => r.workers === 1,
    });
    expect(after.pool).toBe(true);
    expect(row(after, 'fail')).toBeUndefined();
    expect(row(after, 'echo')?.processed ?? 0).toBeLessThanOrEqual(40);
  });
});
