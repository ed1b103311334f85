import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type CallResult, type Transport } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { Core } from '../../core/core';
import { makeTestCore, type TestCore } from '../harness/core';

let t: TestCore;
afterEach(async () => {
  await t?.dispose();
});

async function callError(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

/**
 * A transport that does what IPC and WebSocket do: everything crosses as JSON, so only the
 * envelope (not the ApiError instance) reaches the client.
 */
function jsonTransport(core: Core): Transport & { sent: string[] } {
  const sent: string[] = [];
  return {
    kind: 'ws',
    sent,
    async request(method, input) {
      const wire = JSON.stringify({ method, input });
      sent.push(wire);
      const msg = JSON.parse(wire) as { method: string; input: unknown };
      const res = await core.router.dispatch(msg.method, msg.input, { transport: 'test' });
      return JSON.parse(JSON.stringify(res)) as CallResult;
    },
    onEvent(listener) {
      return core.bus.onAny((topic, payload) => listener(topic, JSON.parse(JSON.stringify(payload))));
    },
  };
}

describe('contract validation at the router', () => {
  it('rejects a profile without servers with a clear invalid_input', async () => {
    t = makeTestCore();
    const err = await callError(t.call('connections.save', { name: 'x', servers: [] }));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toBe('servers: at least one server URL');
  });

  it('rejects a bad server URL, naming the field', async () => {
    t = makeTestCore();
    const err = await callError(
      t.call('connections.save', { name: 'x', servers: ['nats://ok:4222', 'http://not a url'] }),
    );
    expect(err.code).toBe('invalid_input');
    expect(err.message).toBe('servers.1: expected a server URL like nats://host:4222');
    expect((err.detail as { issues: unknown[] }).issues).toHaveLength(1);
  });

  it('rejects a missing name, an unknown auth kind and a non-integer tail', async () => {
    t = makeTestCore();
    const noName = await callError(t.call('connections.save', { name: '  ', servers: ['nats://a:1'] }));
    expect(noName.message).toBe('name: name is required');
    const badAuth = await callError(
      t.call('connections.save', { name: 'x', servers: ['nats://a:1'], auth: { kind: 'kerberos' } as never }),
    );
    expect(badAuth.code).toBe('invalid_input');
    expect(badAuth.message).toMatch(/^auth\.kind: /);
    const badTail = await callError(t.call('localServer.log', { tail: 1.5 }));
    expect(badTail.code).toBe('invalid_input');
    expect(badTail.message).toMatch(/^tail: /);
  });

  it('answers an unknown method with not_found, as an envelope, never a throw', async () => {
    t = makeTestCore();
    const res = await t.core.router.dispatch('connections.explode', {}, { transport: 'test' });
    expect(res).toEqual({
      ok: false,
      error: {
        name: 'ApiError',
        code: 'not_found',
        message: 'unknown method connections.explode',
        detail: undefined,
      },
    });
    const err = await callError(t.core.router.invoke('nope' as never, {}, { transport: 'test' }));
    expect(err.code).toBe('not_found');
  });

  it('maps domain errors: unknown profile is not_found, the embedded profile is protected', async () => {
    t = makeTestCore();
    expect((await callError(t.call('connections.connect', { id: 'missing' }))).code).toBe('not_found');
    expect((await callError(t.call('connections.delete', { id: 'missing' }))).code).toBe('not_found');
    expect(
      (await callError(t.call('connections.save', { id: 'local', name: 'x', servers: ['nats://a:1'] }))).code,
    ).toBe('conflict');
    await t.call('connections.save', { name: 'same', servers: ['nats://a:1'] });
    const dup = await callError(t.call('connections.save', { name: 'same', servers: ['nats://a:2'] }));
    expect(dup).toMatchObject({ code: 'conflict', message: 'a connection named "same" already exists' });
    expect((await callError(t.call('connections.overview'))).code).toBe('not_connected');
  });
});

describe('typed client over a JSON transport', () => {
  it('round-trips results, error envelopes and events', async () => {
    t = makeTestCore();
    const transport = jsonTransport(t.core);
    const client = createClient(transport);
    const changed: number[] = [];
    client.on('connections.changed', (e) => changed.push(e.profiles.length));

    const saved = await client.call('connections.save', {
      name: 'via client',
      servers: ['nats://127.0.0.1:4999'],
      auth: { kind: 'token', token: 'tk' },
    });
    expect(saved).toMatchObject({
      name: 'via client',
      auth: { kind: 'token', hasSecret: true },
      source: 'user',
    });
    expect(changed).toEqual([1]);
    const dup = await client.call('connections.duplicate', { id: saved.id });
    expect(dup.name).toBe('via client (copy)');
    expect(changed).toEqual([1, 2]);
    expect((await client.call('connections.list')).profiles.map((p) => p.name)).toEqual([
      'via client',
      'via client (copy)',
    ]);

    const err = await callError(client.call('connections.save', { name: 'x', servers: [] }));
    expect(err).toMatchObject({
      name: 'ApiError',
      code: 'invalid_input',
      message: 'servers: at least one server URL',
    });
    const unknown = await callError(
      transport
        .request('no.such', null)
        .then((r) => (r.ok ? r : Promise.reject(ApiError.fromEnvelope(r.error)))),
    );
    expect(unknown.code).toBe('not_found');

    const info = await client.call('app.info');
    expect(info).toMatchObject({ mode: 'serve', platform: process.platform, dataDir: t.dataDir });
    expect(transport.sent.some((w) => w.includes('"tk"'))).toBe(true);
    expect(JSON.stringify(await client.call('connections.list'))).not.toContain('"tk"');
  });

  it('rebuilds a malformed error as internal', async () => {
    const client = createClient({
      kind: 'ipc',
      request: async () => ({ ok: false, error: { nonsense: true } as never }),
      onEvent: () => () => {},
    });
    const err = await callError(client.call('connections.status'));
    expect(err.code).toBe('internal');
  });
});
