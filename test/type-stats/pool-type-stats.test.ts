import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, type TestServer } from '../harness/nats-server';
import { pollUntil } from '../harness/poll';
import { connectTo, makeTask, publishMany } from '../workers/helpers';

/** workers.typeStats over a real in-process pool: what its threads count, per task type. */
describe('per task type stats of the pool', () => {
  let server: TestServer;
  let tc: TestCore;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startServer();
    tc = makeTestCore();
    await tc.connectTo(server.url);
    nc = await connectTo(server.url);
  });
  afterAll(async () => {
    await tc?.call('workers.stop', { graceful: false }).catch(() => undefined);
    await nc?.close();
    await tc?.dispose();
    await server?.dispose();
  });

  it('counts, throughput, failure rate and latency per type; nothing without a pool', async () => {
    expect(await tc.call('workers.typeStats')).toMatchObject({ pool: false, types: [] });
    await tc.call('workers.start', { threads: 1, concurrency: 8 });
    // A first sample of the idle pool, so the rates that follow have a base.
    expect((await tc.call('workers.typeStats')).pool).toBe(true);
    await publishMany(jetstream(nc), [
      ...Array.from({ length: 20 }, (_, i) => makeTask('echo', { i })),
      ...Array.from({ length: 4 }, () => ({ ...makeTask('fail', { message: 'no' }), max_attempts: 1 })),
    ]);
    // Samples a second or more apart make the window; the poll's interval spaces them.
    const rep = await pollUntil(() => tc.call('workers.typeStats'), {
      what: '20 echo and 4 failed tasks in the type stats, over a window',
      timeoutMs: 30_000,
      intervalMs: 250,
      ok: (r) => {
        const echo = r.types.find((t) => t.type === 'echo');
        const fail = r.types.find((t) => t.type === 'fail');
        return echo?.processed === 20 && fail?.failed === 4 && r.windowSec > 0;
      },
    });
    const echo = rep.types.find((t) => t.type === 'echo')!;
    const fail = rep.types.find((t) => t.type === 'fail')!;
    expect(echo.failureRate).toBe(0);
    expect(echo.throughput).toBeGreaterThan(0);
    expect(echo.p50).toBeGreaterThan(0);
    expect(fail.failureRate).toBe(1);
    expect(fail.processed).toBe(0);
    // Latency is of completed tasks: none for a type that only fails.
    expect(fail.p50).toBeNull();
  });
});
