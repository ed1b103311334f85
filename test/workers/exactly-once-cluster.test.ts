import { afterAll, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { TASKS_STREAM } from '../../api/task-wire';
import { startCluster, stopAll } from '../harness/nats-server';
import { runExactlyOnce } from './exactly-once';
import { connectTo, waitUntil } from './helpers';

afterAll(stopAll);

it('3-node cluster, TASKS at R3, stream leader killed midway: every task reported completed exactly once', async () => {
  const cluster = await startCluster(3);
  // Wait for the JetStream meta leader before creating anything.
  const nc = await connectTo(cluster.urls);
  // No API check here: it is a request that times out until the meta leader exists.
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  await waitUntil(
    () =>
      jsm.getAccountInfo().then(
        () => true,
        () => false,
      ),
    20_000,
    'JetStream ready',
  );
  let killed = '';
  const { stored, ids } = await runExactlyOnce({
    urls: cluster.urls,
    replicas: 3,
    async disrupt() {
      const leader = (await jsm.streams.info(TASKS_STREAM)).cluster?.leader;
      const victim = cluster.servers.find((s) => s.name === leader) ?? cluster.servers[0];
      killed = victim.name;
      await victim.kill();
    },
  });
  await nc.close();
  expect(killed).not.toBe('');
  expect(stored.size).toBe(ids.length);
  for (const id of ids) expect(stored.get(id), id).toBe(1);
});
