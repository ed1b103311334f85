import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTestCore, type TestCore } from '../harness/core';
import { pollUntil } from '../harness/poll';
import { startCluster, stopAll, type TestCluster } from '../harness/nats-server';

/** A replicated bucket on a real 3-node cluster: created on three peers and readable from any. */
let cluster: TestCluster;
let t: TestCore;

beforeAll(async () => {
  cluster = await startCluster(3);
  t = makeTestCore();
  await t.connectTo(cluster.urls);
  // JetStream answers once the meta leader exists.
  await pollUntil(() => t.call('kv.list').then(() => true), { what: 'JetStream ready', timeoutMs: 30_000 });
}, 60_000);

afterAll(async () => {
  await t?.dispose();
  await stopAll();
});

it('creates a bucket with 3 replicas, shows its peers and reads back what was written', async () => {
  const s = await t.call('kv.create', { bucket: 'shared', replicas: 3, history: 3 });
  expect(s.replicas).toBe(3);
  const info = await pollUntil(() => t.call('kv.info', { bucket: 'shared' }), {
    what: 'a leader and two current replicas',
    ok: (i) => !!i.cluster?.leader && i.cluster.replicas.length === 2 && i.cluster.healthy,
    timeoutMs: 20_000,
  });
  expect(info.cluster?.replicas.map((r) => r.name)).not.toContain(info.cluster?.leader);
  const { revision } = await t.call('kv.put', {
    bucket: 'shared',
    key: 'k',
    value: '{"x":1}',
    format: 'json',
  });
  expect(await t.call('kv.get', { bucket: 'shared', key: 'k' })).toMatchObject({
    revision,
    contentType: 'json',
  });
  expect((await t.call('kv.list')).buckets.find((b) => b.bucket === 'shared')?.replicas).toBe(3);
}, 60_000);

it('refuses more replicas than the cluster has peers, with the server reason', async () => {
  const err = await t.call('kv.create', { bucket: 'toomany', replicas: 5 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(/peers|replicas|insufficient/i);
  expect(cluster.servers).toHaveLength(3);
});
