import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { makeTestCore, type TestCore } from '../harness/core';
import { recordEvents } from '../harness/events';
import { freePort, startServer, stopAll } from '../harness/nats-server';

let t: TestCore;
afterEach(async () => {
  await t?.dispose();
});
afterAll(stopAll);

describe('connection status across server restarts', () => {
  it('goes reconnecting then connected when the server restarts, and counts attempts while it is down', async () => {
    const s = await startServer({ jetstream: false });
    t = makeTestCore();
    const ev = recordEvents(t.core.bus, 'connection.status');
    await t.connectTo(s.url);
    expect(ev.seen.map((e) => e.state)).toEqual(['connecting', 'connected']);
    expect(ev.seen[1].server).toBe(`127.0.0.1:${s.port}`);

    const mark = ev.seen.length;
    await s.restart();
    const reconnecting = await ev.waitFor((e) => e.state === 'reconnecting', { from: mark });
    expect(reconnecting.reason).toBeTruthy();
    const back = await ev.waitFor((e) => e.state === 'connected', { from: ev.seen.indexOf(reconnecting) });
    expect(back.server).toBe(`127.0.0.1:${s.port}`);
    expect((await t.call('connections.status')).state).toBe('connected');

    const mark2 = ev.seen.length;
    await s.stop();
    await ev.waitFor((e) => e.state === 'reconnecting' && (e.attempt ?? 0) >= 3, { from: mark2 });
    const attempts = ev.seen
      .slice(mark2)
      .filter((e) => e.state === 'reconnecting')
      .map((e) => e.attempt ?? 0);
    // Attempts only grow while the server stays down.
    expect(attempts).toEqual([...attempts].sort((a, b) => a - b));
    expect(new Set(attempts).size).toBeGreaterThanOrEqual(3);
    expect(ev.seen.slice(mark2).every((e) => e.state === 'reconnecting')).toBe(true);

    const mark3 = ev.seen.length;
    await s.start();
    await ev.waitFor((e) => e.state === 'connected', { from: mark3 });
  });

  it('reports an unreachable server on connect as unreachable', async () => {
    const port = await freePort();
    t = makeTestCore();
    const p = await t.call('connections.save', {
      name: 'nobody home',
      servers: [`nats://127.0.0.1:${port}`],
    });
    const err = await t.call('connections.connect', { id: p.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('unreachable');
    expect(await t.call('connections.status')).toMatchObject({
      state: 'error',
      errorCode: 'unreachable',
      profileId: p.id,
    });
    const tested = await t.call('connections.test', { id: p.id });
    expect(tested).toMatchObject({ ok: false, error: { code: 'unreachable' } });
  });

  it('disconnect by the user is reported as disconnected', async () => {
    const s = await startServer({ jetstream: false });
    t = makeTestCore();
    await t.connectTo(s.url);
    const st = await t.call('connections.disconnect');
    expect(st).toMatchObject({ state: 'disconnected', reason: 'disconnected by user' });
    const err = await t.call('connections.overview').catch((e: unknown) => e);
    expect((err as ApiError).code).toBe('not_connected');
  });
});
