import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { PoolStatus } from '../../api/features/workers';
import { type ApiError } from '../../api/errors';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { makeTestCore, type TestCore } from '../harness/core';
import { StatusCollector, connectTo, makeTask, publishMany, waitUntil } from './helpers';

let server: TestServer;
let tc: TestCore;
let nc: NatsConnection;
const pushed: PoolStatus[] = [];

beforeAll(async () => {
  server = await startServer();
  tc = makeTestCore();
  tc.core.bus.on('workers.stats', (s) => pushed.push(s));
  await tc.connectTo(server.url);
  nc = await connectTo(server.url);
});

afterAll(async () => {
  await tc?.dispose();
  await nc?.close();
  await stopAll();
});

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as ApiError).code;
  }
};

describe('workers feature (contract)', () => {
  it('validates input at the boundary', async () => {
    expect(await code(tc.call('workers.start', { threads: 0 }))).toBe('invalid_input');
    expect(await code(tc.call('workers.start', { concurrency: 1.5 } as never))).toBe('invalid_input');
    expect(await code(tc.call('workers.start', { types: ['bad type'] }))).toBe('invalid_input');
    expect(await code(tc.call('workers.configure', {}))).toBe('invalid_input');
    expect(await code(tc.call('workers.scale', { threads: 2 }))).toBe('conflict');
    expect((await tc.call('workers.status')).state).toBe('stopped');
  });

  it('lists handler types for suggestions, with a clear error for a bad module', async () => {
    const builtin = await tc.call('workers.handlerTypes');
    expect(builtin.types).toEqual(expect.arrayContaining(['echo', 'sleep', 'fail', 'flaky', 'cpu']));
    // As `jetdeck serve --handlers FILE` does: the module the user named becomes `cli:<name>`.
    const name = tc.core.features.files.allow(
      'handlers',
      fileURLToPath(new URL('./fixtures/crash-handlers.ts', import.meta.url)),
      'cli',
    );
    expect(name).toBe('cli:crash-handlers.ts');
    const custom = await tc.call('workers.handlerTypes', { handlers: name });
    expect(custom.types).toEqual(expect.arrayContaining(['echo', 'crash', 'shout']));
    const missing = await tc.call('workers.handlerTypes', { handlers: 'nothing-here.js' });
    expect(missing.error).toMatch(/no file nothing-here\.js in /);
    // A path is never a module name: the API cannot load code from anywhere on the machine.
    expect(await code(tc.call('workers.handlerTypes', { handlers: '/nonexistent/handlers.js' }))).toBe(
      'invalid_input',
    );
  });

  it('starts the pool on the active connection, pushes batched stats, scales and stops', async () => {
    const st = await tc.call('workers.start', { threads: 1, concurrency: 8 });
    expect(st.state).toBe('running');
    expect(await code(tc.call('workers.start', {}))).toBe('conflict');
    const events = new StatusCollector(nc);
    const tasks = Array.from({ length: 50 }, () => makeTask('echo', 'x'));
    await publishMany(jetstream(nc), tasks);
    await waitUntil(() => pushed.some((p) => p.totals.processed >= 50), 10_000, 'stats with 50 processed');
    const card = pushed[pushed.length - 1].workers[0];
    expect(card).toMatchObject({ id: 'jetdeck-pool-1', state: 'running', thread: 1 });
    expect(card.p50).toBeGreaterThan(0);
    // The events come over NATS, the stats over the pool's thread messages: either can be first.
    const completed = () => events.events.filter((e) => e.status === 'completed');
    await events.waitFor(() => completed().length >= 50, 10_000, '50 completed events');
    expect(completed()).toHaveLength(50);
    const configured = await tc.call('workers.configure', { concurrency: 4 });
    expect(configured).toMatchObject({ state: 'running', threads: 1, concurrency: 4 });
    const scaled = await tc.call('workers.scale', { threads: 2 });
    expect(scaled).toMatchObject({ threads: 2, concurrency: 4 });
    expect((await tc.call('workers.stop', { graceful: true })).state).toBe('stopped');
    events.stop();
  });

  it('keeps the pool running across Disconnect/Connect: it follows its own connection', async () => {
    await tc.call('workers.start', { threads: 1, concurrency: 2 });
    await tc.call('connections.disconnect');
    const during = await tc.call('workers.status');
    expect(during.state).toBe('running');
    expect(during.servers).toEqual([server.url]);
    // Still doing work with the app disconnected.
    const t = makeTask('echo', { n: 1 });
    const events = new StatusCollector(nc);
    await jetstream(nc).publish('tasks.new', JSON.stringify(t), { msgID: t.id });
    await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'completed'), 15_000);
    events.stop();
    // A new pool needs a connection; the running one says why when it stops.
    expect(await code(tc.call('workers.start', {}))).toBe('conflict');
    const stopped = await tc.call('workers.stop', { graceful: true });
    expect(stopped).toMatchObject({ state: 'stopped', stopReason: 'stopped by the user' });
    expect(await code(tc.call('workers.start', {}))).toBe('not_connected');
  });
});
