import { afterAll, beforeAll, expect, it } from 'vitest';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { makeTestCore, type TestCore } from '../harness/core';
import { startCluster, stopAll, type TestCluster } from '../harness/nats-server';
import { connectTo, waitUntil } from '../workers/helpers';
import { spawnFleetWorker } from './helpers';

/**
 * Replicas are chosen when TASKS is created (`--replicas` on the worker and serve, the Tasks
 * screen, or 3 by default on a cluster of 3); after that they are the operator's: a change is
 * respected, never flagged for revert.
 */
let cluster: TestCluster;
let nc: NatsConnection;
let jsm: JetStreamManager;
const cores: TestCore[] = [];

beforeAll(async () => {
  cluster = await startCluster(3);
  nc = await connectTo(cluster.urls);
  // No API check: it is a request that times out until the meta leader exists.
  jsm = await jetstreamManager(nc, { checkAPI: false });
  await waitUntil(
    () =>
      jsm.getAccountInfo().then(
        () => true,
        () => false,
      ),
    30_000,
    'JetStream ready',
  );
}, 60_000);

afterAll(async () => {
  for (const c of cores) await c.dispose();
  await nc?.close();
  await stopAll();
});

const replicasOf = async () => (await jsm.streams.info('TASKS')).config.num_replicas;

it('jetdeck worker --replicas 3 creates TASKS at R3; an operator going to R1 is not flagged', async () => {
  const w = spawnFleetWorker([cluster.urls[0]], 'r3-maker', ['--replicas', '3']);
  await w.registered;
  expect(await replicasOf()).toBe(3);
  w.proc.kill('SIGINT');
  expect(await w.exited).toBe(0);

  // The operator scales it down (e.g. to save disk): JetDeck respects it.
  await jsm.streams.update('TASKS', { num_replicas: 1 });
  await waitUntil(async () => (await replicasOf()) === 1, 20_000, 'R1');
  const tc = makeTestCore();
  cores.push(tc);
  await tc.connectTo(cluster.urls[1]);
  const report = await tc.call('tasks.topology');
  expect(report.state).toBe('ok');
  expect(report.diff).toEqual([]);
  expect(report).toMatchObject({ streamReplicas: 1, replicas: 3, replicasChoice: 'auto' });
  // A worker starting now logs no difference either.
  const w2 = spawnFleetWorker([cluster.urls[2]], 'r1-user');
  await w2.registered;
  expect(w2.output()).not.toMatch(/num_replicas|JetDeck would use/);
  w2.proc.kill('SIGINT');
  expect(await w2.exited).toBe(0);
  expect(await replicasOf()).toBe(1);
}, 90_000);

it('serve --replicas (the saved choice) creates TASKS with it; the Tasks screen can change it explicitly', async () => {
  await jsm.streams.delete('TASKS');
  const tc = makeTestCore();
  cores.push(tc);
  tc.core.features.tasks.choose({ replicas: 2 }); // what `jetdeck serve --replicas 2` does
  await tc.connectTo(cluster.urls[0]);
  await waitUntil(
    async () => (await jsm.streams.info('TASKS').catch(() => undefined)) !== undefined,
    20_000,
    'TASKS',
  );
  expect(await replicasOf()).toBe(2);
  expect(await tc.call('tasks.topology')).toMatchObject({
    state: 'ok',
    replicas: 2,
    replicasChoice: 'chosen',
  });
  // Explicitly asked in the UI: the existing stream changes.
  const r = await tc.call('tasks.applyTopology', { confirm: true, replicas: 3 });
  expect(r.updated).toContain('stream.num_replicas');
  await waitUntil(async () => (await replicasOf()) === 3, 20_000, 'R3');
}, 90_000);
