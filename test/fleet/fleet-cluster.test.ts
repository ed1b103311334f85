import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Empty, type NatsConnection } from '@nats-io/transport-node';
import type { ApiError } from '../../api/errors';
import type { FleetWorker } from '../../api/features/fleet';
import type { InfoResponse, PingResponse, StatsResponse } from '../../worker/service/micro';
import { makeTestCore, type TestCore } from '../harness/core';
import { startCluster, stopAll, type TestCluster } from '../harness/nats-server';
import { connectTo, waitUntil } from '../workers/helpers';
import { spawnFleetWorker, type FleetProcess } from './helpers';

/**
 * The fleet on a real 3-node cluster: two `jetdeck worker` processes (one allowing remote
 * control) and the app's in-process pool are NATS services, seen by a plain `$SRV.PING` as
 * `nats micro ls` sends it and by the Workers screen's `fleet.list`; remote control works only
 * where allowed; a typed lane nobody serves is reported with no time-to-drain.
 */
let cluster: TestCluster;
let tc: TestCore;
let nc: NatsConnection;
let allowed: FleetProcess;
let locked: FleetProcess;
const ids: Record<string, string> = {};

beforeAll(async () => {
  cluster = await startCluster(3);
  tc = makeTestCore();
  // Each piece on a different node, as on several machines.
  await tc.connectTo(cluster.urls[0]);
  nc = await connectTo(cluster.urls[2]);
  allowed = spawnFleetWorker([cluster.urls[1]], 'remote-allowed', [
    '--allow-remote-control',
    '--concurrency',
    '4',
  ]);
  locked = spawnFleetWorker([cluster.urls[2]], 'remote-locked', ['--concurrency', '2']);
  const pool = await tc.call('workers.start', { threads: 1, concurrency: 3 });
  expect(pool.serviceId).toBeTruthy();
  ids.pool = pool.serviceId!;
  ids.allowed = await allowed.registered;
  ids.locked = await locked.registered;
}, 60_000);

afterAll(async () => {
  allowed?.kill();
  locked?.kill();
  await tc?.dispose();
  await nc?.close();
  await stopAll();
});

async function collect<T>(subject: string): Promise<T[]> {
  const out: T[] = [];
  const it = await nc.requestMany(subject, Empty, { strategy: 'stall', stall: 500, maxWait: 3000 });
  for await (const m of it) out.push(m.json<T>());
  return out;
}

describe('workers as NATS services', () => {
  it('answer a plain $SRV.PING and $SRV.INFO/STATS the way nats micro reads them', async () => {
    const pings = await collect<PingResponse>('$SRV.PING');
    const ours = pings.filter((p) => p.name === 'jetdeck-worker');
    expect(ours.map((p) => p.id).sort()).toEqual([ids.pool, ids.allowed, ids.locked].sort());
    for (const p of ours) {
      expect(p.type).toBe('io.nats.micro.v1.ping_response');
      expect(p.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(p.metadata.host).toBeTruthy();
    }
    // Addressed forms: by name, and one instance by name and id.
    expect(await collect<PingResponse>('$SRV.PING.jetdeck-worker')).toHaveLength(3);
    const [one] = await collect<InfoResponse>(`$SRV.INFO.jetdeck-worker.${ids.allowed}`);
    expect(one.type).toBe('io.nats.micro.v1.info_response');
    expect(one.metadata).toMatchObject({ worker: 'remote-allowed', kind: 'process', remote_control: 'on' });
    expect(one.metadata.lanes.split(',')).toEqual(['tasks.high', 'tasks.new']);
    expect(one.endpoints.map((e) => e.name)).toEqual(['status', 'drain', 'pause', 'resume', 'concurrency']);
    for (const e of one.endpoints) {
      expect(e.queue_group).toBe('q');
      expect(e.subject).toBe(`jetdeck.worker.${ids.allowed}.${e.name}`);
    }
    const stats = await collect<StatsResponse>(`$SRV.STATS.jetdeck-worker.${ids.locked}`);
    expect(stats).toHaveLength(1);
    expect(stats[0].type).toBe('io.nats.micro.v1.stats_response');
    expect(Date.parse(stats[0].started)).toBeGreaterThan(0);
    const status = stats[0].endpoints.find((e) => e.name === 'status');
    expect(status?.data).toMatchObject({ state: 'running', concurrency: 2, threads: 1 });
    for (const e of stats[0].endpoints) {
      expect(typeof e.num_requests).toBe('number');
      expect(typeof e.average_processing_time).toBe('number');
    }
  });

  it('fleet.list shows the pool and both remote workers, the pool marked local', async () => {
    const { workers } = await tc.call('fleet.list');
    const byId = new Map(workers.map((w) => [w.id, w]));
    expect(byId.get(ids.pool)).toMatchObject({
      kind: 'pool',
      local: true,
      answering: true,
      remoteControl: false,
    });
    expect(byId.get(ids.allowed)).toMatchObject({
      worker: 'remote-allowed',
      remoteControl: true,
      local: false,
    });
    expect(byId.get(ids.locked)?.status).toMatchObject({ state: 'running', concurrency: 2 });
    expect(byId.get(ids.locked)?.pid).toBe(locked.proc.pid);
  });
});

describe('remote control', () => {
  it('is refused without --allow-remote-control, with a clear error', async () => {
    const err = await tc.call('fleet.control', { id: ids.locked, action: 'drain' }).catch((e: ApiError) => e);
    expect((err as ApiError).code).toBe('forbidden');
    expect((err as ApiError).message).toMatch(/remote control is off.*--allow-remote-control/);
    const again = await tc.call('fleet.control', { id: ids.pool, action: 'pause' }).catch((e: ApiError) => e);
    expect((again as ApiError).code).toBe('forbidden');
    // Still running: nothing happened.
    const { workers } = await tc.call('fleet.list');
    expect(workers.find((w) => w.id === ids.locked)?.status?.state).toBe('running');
  });

  it('changes the concurrency of a remote worker, pauses, resumes and drains it', async () => {
    const find = async (): Promise<FleetWorker | undefined> => {
      await new Promise((r) => setTimeout(r, 1100)); // the list reuses a sweep for 1 s
      return (await tc.call('fleet.list')).workers.find((w) => w.id === ids.allowed);
    };
    await tc.call('fleet.control', { id: ids.allowed, action: 'concurrency', concurrency: 9 });
    await waitUntil(async () => (await find())?.status?.concurrency === 9, 15_000, 'concurrency 9');
    expect((await find())?.status?.state).toBe('running');

    await tc.call('fleet.control', { id: ids.allowed, action: 'pause' });
    await waitUntil(async () => (await find())?.status?.state === 'paused', 15_000, 'paused');
    await tc.call('fleet.control', { id: ids.allowed, action: 'resume' });
    await waitUntil(async () => (await find())?.status?.state === 'running', 15_000, 'running again');

    await tc.call('fleet.control', { id: ids.allowed, action: 'drain' });
    expect(await allowed.exited).toBe(0);
    expect(allowed.output()).toContain('drained through its service endpoint; exiting');
    // Gone from the service list; the tracker keeps it as not answering.
    await waitUntil(async () => (await find())?.answering === false, 10_000, 'not answering');
  }, 60_000);
});

describe('lanes nobody serves', () => {
  it('a typed lane with pending tasks and no worker for its type has no time-to-drain', async () => {
    for (let i = 0; i < 3; i++)
      await tc.call('tasks.publish', { type: 'nobody-serves-me', payload: { i }, route: 'typed' });
    const qs = await tc.call('tasks.queueStatus');
    const lane = qs.lanes.find((l) => l.filter === 'tasks.typed.nobody-serves-me');
    expect(lane?.servedBy).toBe(0);
    expect(qs.unserved).toContainEqual({
      subject: 'tasks.typed.nobody-serves-me',
      type: 'nobody-serves-me',
      pending: 3,
    });
    expect(qs.timeToDrainSec).toBeNull();
    expect(qs.drainNote).toMatch(/no worker serves tasks\.typed\.nobody-serves-me/);
    // The general lanes are served (pool and the locked worker), so they are not listed.
    expect(qs.unserved?.some((u) => u.subject === 'tasks.new')).toBe(false);
    const fleet = await tc.call('fleet.list');
    expect(fleet.unserved.map((u) => u.subject)).toContain('tasks.typed.nobody-serves-me');
  });
});
