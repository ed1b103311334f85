import { afterAll, beforeAll, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { makeTestCore, type TestCore } from '../harness/core';
import { poolHeapMb } from '../../core/workers/feature';
import { StatusCollector, makeTask, publishMany, waitUntil } from './helpers';

/**
 * The pool's threads open their own connections: they must use everything the profile connects
 * with, not only servers and auth. Here the account may not subscribe to `_INBOX.>`, so the
 * profile sets an inbox prefix; a thread without it has no pull or PubAck inbox and runs nothing.
 */
let server: TestServer;
let tc: TestCore;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startServer({
    extraConfig: `authorization { users: [ { user: "app", password: "pw", permissions: {
      publish: ">", subscribe: { allow: ">", deny: "_INBOX.>" } } } ] }`,
  });
  tc = makeTestCore();
  const p = await tc.call('connections.save', {
    name: 'restricted inboxes',
    servers: [server.url],
    auth: { kind: 'userpass', user: 'app', password: 'pw' },
    inboxPrefix: '_MY',
  });
  await tc.call('connections.connect', { id: p.id });
  nc = await connect({ servers: server.url, user: 'app', pass: 'pw', inboxPrefix: '_MY' });
});

afterAll(async () => {
  await tc?.dispose();
  await nc?.close();
  await stopAll();
});

it("the pool's threads connect with the profile's inbox prefix (an account that denies _INBOX)", async () => {
  expect((await tc.call('workers.start', { threads: 1, concurrency: 4 })).state).toBe('running');
  const events = new StatusCollector(nc);
  const tasks = Array.from({ length: 20 }, (_, i) => makeTask('echo', i));
  await publishMany(jetstream(nc), tasks);
  await events.waitFor(
    (e) => tasks.every((t) => e.some((x) => x.id === t.id && x.status === 'completed')),
    20_000,
  );
  // Ran by the pool (its stats come over thread messages, maybe after the events).
  await waitUntil(
    async () => (await tc.call('workers.status')).totals.processed >= 20,
    10_000,
    'pool stats with 20 processed',
  );
  await tc.call('workers.stop', { graceful: true });
});

it("the pool threads' heap cap: 64 MB unless JETDECK_POOL_HEAP_MB says otherwise (0 = none); a bad value is said", () => {
  const said: string[] = [];
  const warn = (m: string) => said.push(m);
  expect(poolHeapMb(undefined, warn)).toBe(64);
  expect(poolHeapMb('256', warn)).toBe(256);
  expect(poolHeapMb('0', warn)).toBe(0);
  expect(said).toEqual([]);
  expect(poolHeapMb('lots', warn)).toBe(64);
  expect(poolHeapMb('-5', warn)).toBe(64);
  expect(said).toHaveLength(2);
  expect(said[0]).toMatch(/JETDECK_POOL_HEAP_MB=lots is not a whole number/);
});
