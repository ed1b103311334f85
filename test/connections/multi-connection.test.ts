import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OPEN_CONNECTIONS } from '../../api/features/connections';
import { makeTestCore, type TestCore } from '../harness/core';
import { recordEvents } from '../harness/events';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { until } from '../messages/helpers';

let a: TestServer;
let b: TestServer;
let t: TestCore;
let idA: string;
let idB: string;

beforeAll(async () => {
  [a, b] = await Promise.all([startServer({ name: 'multi-a' }), startServer({ name: 'multi-b' })]);
  t = makeTestCore();
  idA = (await t.call('connections.save', { name: 'A', servers: [a.url] })).id;
  idB = (await t.call('connections.save', { name: 'B', servers: [b.url] })).id;
});
afterAll(async () => {
  await t?.call('workers.stop', { graceful: false }).catch(() => {});
  await t?.dispose();
  await stopAll();
});

/** Client connections a server holds, by name (JetDeck's core names its connection). */
async function connCount(s: TestServer): Promise<number> {
  const res = await fetch(`${s.monitorUrl}/connz`);
  return ((await res.json()) as { num_connections: number }).num_connections;
}

describe('several connections open at once', () => {
  it('switches with keep: the other stays open, is reused on the way back, and a pool keeps running', async () => {
    await t.call('connections.connect', { id: idA });
    const ncA = t.core.connections.connection!.nc;
    await t.call('workers.start', { threads: 1, concurrency: 1 });
    const onA = await connCount(a);

    const opened = recordEvents(t.core.bus, 'connections.open');
    const s = await t.call('connections.connect', { id: idB, keep: true });
    expect(s).toMatchObject({ state: 'connected', profileName: 'B' });
    const open = await t.call('connections.open');
    expect(open.open.map((o) => [o.profileName, o.active, o.state])).toEqual([
      ['B', true, 'connected'],
      ['A', false, 'connected'],
    ]);
    expect(opened.seen.at(-1)?.open.map((o) => o.profileName)).toEqual(['B', 'A']);
    opened.off();
    // Nothing on A was closed: the core's connection and the pool's threads are still there.
    expect(ncA.isClosed()).toBe(false);
    expect(await connCount(a)).toBe(onA);
    expect((await t.call('workers.status')).state).toBe('running');
    // Screens use the active connection.
    expect((await t.call('connections.overview')).connectedUrl).toContain(String(b.port));

    // Back to A: the same connection, not a new one.
    await t.call('connections.connect', { id: idA, keep: true });
    expect(t.core.connections.connection!.nc).toBe(ncA);
    expect((await t.call('connections.overview')).connectedUrl).toContain(String(a.port));
    expect((await t.call('workers.status')).state).toBe('running');
    expect((await t.call('connections.open')).open.map((o) => [o.profileName, o.active])).toEqual([
      ['A', true],
      ['B', false],
    ]);
    await t.call('workers.stop', { graceful: false });
  });

  it('closes a background connection on its own, and without keep closes the one it leaves', async () => {
    await t.call('connections.connect', { id: idA });
    await t.call('connections.connect', { id: idB, keep: true });
    expect((await t.call('connections.close', { id: idA })).closed).toBe(true);
    expect((await t.call('connections.open')).open.map((o) => o.profileName)).toEqual(['B']);
    await until(
      () => connCount(a),
      (n) => n === 0,
    );
    // The default (no keep) is the old behaviour: the connection left is closed.
    await t.call('connections.connect', { id: idA });
    expect((await t.call('connections.open')).open.map((o) => o.profileName)).toEqual(['A']);
    expect((await t.call('connections.close', { id: 'nope' })).closed).toBe(false);
  });

  it(`keeps at most ${MAX_OPEN_CONNECTIONS} open: the oldest background one is closed first`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < MAX_OPEN_CONNECTIONS + 1; i++) {
      ids.push((await t.call('connections.save', { name: `P${i}`, servers: [a.url] })).id);
    }
    await t.call('connections.disconnect');
    for (const id of ids) await t.call('connections.connect', { id, keep: true });
    const open = (await t.call('connections.open')).open;
    expect(open.map((o) => o.profileName)).toEqual(['P4', 'P1', 'P2', 'P3']);
    expect(open.some((o) => o.profileName === 'P0')).toBe(false);
    await t.call('connections.disconnect');
    for (const o of (await t.call('connections.open')).open)
      await t.call('connections.close', { id: o.profileId });
    expect((await t.call('connections.open')).open).toEqual([]);
  });
});
