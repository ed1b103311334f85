import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { SUBJECTS, TASKS_STREAM, TASK_WORKERS_CONSUMER } from '../../api/task-wire';
import { reusedLaneNumbers } from '../../core/tasks/state/counts';
import {
  OLD_SERVER_CONSUMER_INFO_MS,
  consumerInfoReuseMs,
  rescansPendingOnDelivery,
} from '../../nats/server-quirks';
import { ensureTopology } from '../../nats/topology';
import { startServer, type TestServer } from '../harness/nats-server';

describe('servers whose consumer info makes every delivery rescan a block', () => {
  it('are the ones before 2.9.15', () => {
    for (const v of ['2.9.10', '2.9.14', 'v2.9.0', '2.8.4', '1.4.0'])
      expect(rescansPendingOnDelivery(v), v).toBe(true);
    for (const v of ['2.9.15', '2.9.25', '2.10.0', '2.11.3', '3.0.0'])
      expect(rescansPendingOnDelivery(v), v).toBe(false);
    // Unknown: assume a current server.
    expect(rescansPendingOnDelivery(undefined)).toBe(false);
    expect(rescansPendingOnDelivery('dev')).toBe(false);
    expect(consumerInfoReuseMs('2.9.10')).toBe(OLD_SERVER_CONSUMER_INFO_MS);
    expect(consumerInfoReuseMs('2.10.22')).toBe(0);
  });
});

describe('lane numbers for the task counts', () => {
  let server: TestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    server = await startServer();
    nc = await connect({ servers: server.url, noAsyncTraces: true });
    jsm = await jetstreamManager(nc);
    await ensureTopology(jsm);
    await jetstream(nc).publish(SUBJECTS.new, '{}', { msgID: 'lane-a' });
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  it('are reused within the window and read again without one', async () => {
    const reused = reusedLaneNumbers(60_000);
    const fresh = reusedLaneNumbers(0);
    expect(await reused(jsm)).toMatchObject({ ackPending: 0 });
    expect(await fresh(jsm)).toMatchObject({ ackPending: 0 });
    // A delivery not acked yet: ack pending 1 on the server.
    const c = await jetstream(nc).consumers.get(TASKS_STREAM, TASK_WORKERS_CONSUMER);
    const m = await c.next({ expires: 5000 });
    expect(m).not.toBeNull();
    expect(await fresh(jsm)).toMatchObject({ ackPending: 1 });
    expect(await reused(jsm)).toMatchObject({ ackPending: 0 });
    m!.ack();
  }, 30_000);

  it('count the scheduled lane fresh on every read, within the window too', async () => {
    const reused = reusedLaneNumbers(60_000);
    const before = (await reused(jsm)).scheduled;
    await jetstream(nc).publish(SUBJECTS.scheduled, '{}', { msgID: 'lane-s' });
    expect((await reused(jsm)).scheduled).toBe(before + 1);
  }, 30_000);

  it('are not reused after a failed read', async () => {
    const reused = reusedLaneNumbers(60_000);
    const nc2 = await connect({ servers: server.url, noAsyncTraces: true });
    const jsm2 = await jetstreamManager(nc2);
    await nc2.close();
    await expect(reused(jsm2)).rejects.toThrow();
    expect(await reused(jsm)).toMatchObject({ ackPending: expect.any(Number) });
  }, 30_000);
});
