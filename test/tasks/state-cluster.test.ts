import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { builtinHandlers } from '../../worker/handlers/builtin';
import { WorkerRuntime } from '../../worker/runtime';
import { makeTestCore, type TestCore } from '../harness/core';
import { startCluster, stopAll, type TestCluster } from '../harness/nats-server';
import { until } from './helpers';

afterAll(stopAll);

const KILLS = 5;

/**
 * A 3-node cluster, TASKS and the state buckets at R3, tasks flowing through a worker. Five
 * times, the node JetDeck is connected to is killed (kill -9) and started again: each time the
 * task state keeps up — a task published after the kill is found completed by id and the state
 * is back to no lag within seconds, without reconnecting by hand.
 */
it('the task state keeps up when the node JetDeck is connected to is killed, five times', async () => {
  const cluster: TestCluster = await startCluster(3);
  const dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-data-'));
  writeFileSync(join(dataDir, 'tasks.json'), JSON.stringify({ replicas: 3 }));
  const t: TestCore = makeTestCore({ dataDir });
  let producer: NatsConnection | undefined;
  let workerNc: NatsConnection | undefined;
  let worker: WorkerRuntime | undefined;
  let flowing = true;
  let flow: Promise<void> | undefined;
  try {
    await t.connectTo(cluster.urls);
    await until(async () => (await t.call('tasks.list', { limit: 1 })).ready, 'task state ready', 60_000);
    const opts = { servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 250 };
    producer = await connect(opts);
    workerNc = await connect(opts);
    worker = new WorkerRuntime({
      nc: workerNc,
      name: 'w-cluster',
      concurrency: 8,
      handlers: builtinHandlers,
    });
    await worker.start();
    const js = jetstream(producer);
    // Publishes one task, retrying with the same id through leader elections.
    const publish = async (id: string) => {
      const body = JSON.stringify({ id, type: 'echo', payload: id, created_at: new Date().toISOString() });
      for (;;) {
        try {
          return await js.publish('tasks.new', body, { msgID: id, timeout: 2000 });
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    // A steady flow (~30 tasks/s) for the whole test.
    let n = 0;
    flow = (async () => {
      while (flowing) {
        await publish(`flow-${n++}`);
        await new Promise((r) => setTimeout(r, 30));
      }
    })();

    const catchUp: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const name = t.core.connections.connection?.nc.info?.server_name;
      const victim = cluster.servers.find((s) => s.name === name);
      expect(victim, `JetDeck connected to a cluster node (${name})`).toBeDefined();
      await victim!.kill();
      const killedAt = Date.now();
      const marker = `marker-${k}`;
      const pa = await publish(marker);
      await until(
        async () => (await t.call('tasks.get', { id: marker })).status === 'completed',
        `kill ${k + 1}: the marker task found completed`,
        60_000,
      );
      const idx = await until(
        async () => {
          const i = (await t.call('tasks.list', { limit: 1 })).index;
          return i && i.indexed_seq >= pa.seq && i.lag === 0 && !i.stale ? i : undefined;
        },
        `kill ${k + 1}: the state caught up`,
        60_000,
      );
      catchUp.push(Date.now() - killedAt);
      expect(idx.lag).toBe(0);
      await victim!.restart();
      // The restarted node rejoins before the next kill (quorum for R3 needs two of three).
      // No account-info check: right after a restart that first request may time out.
      const jsm = await jetstreamManager(producer, { checkAPI: false });
      await until(
        async () => {
          const si = await jsm.streams.info('TASKS');
          return (si.cluster?.replicas ?? []).filter((r) => r.current).length === 2;
        },
        `kill ${k + 1}: TASKS replicas current again`,
        60_000,
      );
    }
    flowing = false;
    await flow;
    // Every task of the flow is known by id and the counts match the stream.
    const list = await until(
      async () => {
        const l = await t.call('tasks.list', { limit: 1 });
        return l.counts.total === n + KILLS && l.counts.completed === n + KILLS ? l : undefined;
      },
      'every task completed and counted',
      60_000,
    );
    expect(list.counts.pending).toBe(0);
    expect((await t.call('tasks.get', { id: 'flow-0' })).status).toBe('completed');
    expect((await t.call('tasks.get', { id: `flow-${n - 1}` })).status).toBe('completed');
    console.log(`state caught up after each kill in ${catchUp.join(', ')} ms`);
  } finally {
    flowing = false;
    await flow?.catch(() => undefined);
    await worker?.drain().catch(() => undefined);
    await workerNc?.close();
    await producer?.close();
    await t.dispose();
    await cluster.dispose();
  }
}, 600_000);
