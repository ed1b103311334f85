import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TOO_DEEP_MARKER } from '../../api/depth';
import { authSubprotocol } from '../../api/ws-protocol';
import { AuthThrottle } from '../../core/serve/auth-throttle';
import { internalError } from '../../core/errors';
import { startServe, type ServeHandle } from '../../core/serve/server';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { seeder, until, type Seeder } from '../messages/helpers';
import { openWs } from '../serve/helpers';
import { rawRequest } from './raw-http';

/**
 * Every endpoint of `jetdeck serve` against the review's findings: the one error shape, the
 * token never in a cookie, Host allow-list, NUL headers, non-UTF-8 charsets, upgrades off /ws,
 * deep bodies, route limits matching the schemas, no stacks, honest readiness, throttled and
 * logged wrong tokens, strong tokens, and inputs that cannot widen a command.
 */

const TOKEN = 'rest-suite-token-0123456789-abcdefghijkLMNOP';
const bearer = { authorization: `Bearer ${TOKEN}` };

let nats: TestServer;
let tc: TestCore;
let serve: ServeHandle;
let s: Seeder;
let cases = 0;

interface Endpoint {
  method: string;
  path: string;
  /** Takes a JSON body. */
  body?: unknown;
}
const ID = 'rest-suite-task';
const ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: '/api/health' },
  { method: 'GET', path: '/api/health/ready' },
  { method: 'POST', path: '/api/tasks', body: { type: 'echo', payload: 1 } },
  { method: 'GET', path: '/api/tasks' },
  { method: 'GET', path: `/api/tasks/${ID}` },
  { method: 'PATCH', path: `/api/tasks/${ID}/status`, body: { status: 'cancelled' } },
  { method: 'DELETE', path: `/api/tasks/${ID}` },
  { method: 'GET', path: '/api/queue/status' },
  { method: 'GET', path: '/api/openapi.json' },
  { method: 'GET', path: '/metrics' },
  { method: 'POST', path: '/api/call/app.info', body: {} },
  { method: 'GET', path: '/ws' },
];

async function call(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> | undefined; text: string }> {
  cases++;
  const res = await fetch(`${serve.url}${path}`, { method, headers: opts.headers, body: opts.body });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** The one error shape: `{ ok: false, error: { name, code, message, detail? } }`. */
function expectErrorShape(json: Record<string, unknown> | undefined, code: string, where: string): void {
  expect(json, where).toMatchObject({
    ok: false,
    error: { name: expect.any(String), code, message: expect.any(String) },
  });
  expect(Object.keys(json!).sort(), where).toEqual(['error', 'ok']);
  expect(JSON.stringify(json), where).not.toMatch(/\bstack\b|\n\s+at /);
}

const raw = (head: string) => {
  cases++;
  return rawRequest(serve.url, `${head}\r\nConnection: close\r\n\r\n`);
};

beforeAll(async () => {
  nats = await startServer();
  tc = makeTestCore();
  await tc.connectTo(nats.url);
  s = await seeder(nats.url);
  await s.jsm.streams.add({ name: 'R', subjects: ['r.>'] });
  for (let i = 0; i < 50; i++) await s.publish(`r.${i % 5}`, `m${i}`);
  serve = await startServe(tc.core, { host: '127.0.0.1', port: 0, token: TOKEN });
});

afterAll(async () => {
  console.log(`serve REST suite: ${cases} requests`);
  await serve?.close();
  await s?.close();
  await tc?.dispose();
  await stopAll();
});

describe('every endpoint', () => {
  it('401s without a token, with a wrong one, and with the right token in a cookie (never a credential)', async () => {
    // In parallel: wrong tokens are slowed down on purpose after a few (see auth hardening below).
    const headerSets: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { cookie: `jetdeck_token_${serve.port}=${TOKEN}` },
    ];
    await Promise.all(
      ENDPOINTS.flatMap((e) =>
        headerSets.map(async (headers) => {
          const r = await call(e.method, e.path, { headers });
          expect(r.status, `${e.method} ${e.path}`).toBe(401);
          expectErrorShape(r.json, 'unauthorized', `${e.method} ${e.path}`);
        }),
      ),
    );
  });

  it('refuses a foreign Host even with the token (DNS rebinding), and accepts loopback names', async () => {
    const port = serve.port;
    for (const e of ENDPOINTS) {
      const bad = await raw(
        `${e.method} ${e.path} HTTP/1.1\r\nHost: evil.example:${port}\r\nAuthorization: Bearer ${TOKEN}`,
      );
      expect(bad.status, e.path).toBe(403);
      expectErrorShape(JSON.parse(bad.body) as Record<string, unknown>, 'unauthorized', e.path);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, '127.0.0.1']) {
      const ok = await raw(`GET /api/health HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${TOKEN}`);
      expect(ok.status, host).toBe(200);
    }
    const none = await raw(`GET /api/health HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}`);
    expect(none.status).toBe(400); // HTTP/1.1 without Host is malformed (answered by node itself)
  });

  it('refuses header values containing NUL', async () => {
    for (const e of ENDPOINTS) {
      const r = await raw(
        `${e.method} ${e.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nX-Note: a\u0000b`,
      );
      expect(r.status, e.path).toBe(400);
    }
  });

  it('upgrades to WebSocket on /ws only', async () => {
    const upgrade = (path: string) =>
      raw(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nAuthorization: Bearer ${TOKEN}\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      );
    for (const e of ENDPOINTS.filter((x) => x.path !== '/ws').concat([
      { method: 'GET', path: '/' },
      { method: 'GET', path: '/ws/x' },
    ])) {
      expect((await upgrade(e.path)).status, e.path).toBe(404);
    }
    expect((await upgrade('/ws')).status).toBe(101);
  });

  it('bodies: non-UTF-8 charset 415, bad JSON and deep JSON 400, unknown fields 400 — one shape', async () => {
    for (const e of ENDPOINTS.filter((x) => x.body !== undefined)) {
      const send = (body: string, type = 'application/json') =>
        call(e.method, e.path, { headers: { ...bearer, 'content-type': type }, body });
      const utf16 = await send(JSON.stringify(e.body), 'application/json; charset=utf-16');
      expect(utf16.status, e.path).toBe(415);
      expectErrorShape(utf16.json, 'invalid_input', e.path);
      const latin = await send(JSON.stringify(e.body), 'application/json; charset=iso-8859-1');
      expect(latin.status, e.path).toBe(415);
      const bad = await send('{"type": ');
      expect(bad.status, e.path).toBe(400);
      expectErrorShape(bad.json, 'invalid_input', e.path);
      const deep = await send(`{"metadata":${'['.repeat(5000)}1${']'.repeat(5000)}}`);
      expect(deep.status, e.path).toBe(400);
      expectErrorShape(deep.json, 'invalid_input', e.path);
      const unknown = await send(JSON.stringify({ ...(e.body as object), zzUnknown: 1 }));
      expect(unknown.status, e.path).toBe(400);
      expectErrorShape(unknown.json, 'invalid_input', e.path);
      expect(
        (await send(JSON.stringify(e.body), 'application/json; charset=UTF-8')).status,
        e.path,
      ).toBeLessThan(500);
    }
  });
});

describe('task ids: route limits match the schema (≤ 200 characters)', () => {
  it('101-200 characters reach the schema (404 for an unknown id), longer ones are a 400', async () => {
    for (const len of [101, 150, 200]) {
      const id = 'i'.repeat(len);
      for (const [m, suffix, body] of [
        ['GET', '', undefined],
        ['DELETE', '', undefined],
        ['PATCH', '/status', JSON.stringify({ status: 'cancelled' })],
      ] as const) {
        const r = await call(m, `/api/tasks/${id}${suffix}`, {
          headers: { ...bearer, 'content-type': 'application/json' },
          body,
        });
        expect(r.status, `${m} ${len}`).toBe(404);
        expectErrorShape(r.json, 'not_found', `${m} ${len}`);
        expect((r.json!.error as { message: string }).message).not.toMatch(/no route/);
      }
    }
    for (const id of ['i'.repeat(201), 'i'.repeat(2000), 'bad%20id']) {
      for (const [m, suffix] of [
        ['GET', ''],
        ['DELETE', ''],
        ['PATCH', '/status'],
      ] as const) {
        const r = await call(m, `/api/tasks/${id}${suffix}`, {
          headers: { ...bearer, 'content-type': 'application/json' },
          body: m === 'PATCH' ? JSON.stringify({ status: 'cancelled' }) : undefined,
        });
        expect(r.status, `${m} ${id.length}`).toBe(400);
        expectErrorShape(r.json, 'invalid_input', `${m} ${id.length}`);
      }
    }
    const noRoute = await call('GET', '/api/nothing-here', { headers: bearer });
    expect(noRoute.status).toBe(404);
    expectErrorShape(noRoute.json, 'not_found', 'unknown route');
  });
});

describe('/api/call', () => {
  it('answers ok:true results and ok:false errors, bad JSON and unknown methods included', async () => {
    const ok = await call('POST', '/api/call/connections.status', { headers: bearer });
    expect(ok.json).toMatchObject({ ok: true, result: { state: 'connected' } });
    const bad = await call('POST', '/api/call/connections.status', {
      headers: { ...bearer, 'content-type': 'application/json' },
      body: '{',
    });
    expect(bad.status).toBe(400);
    expectErrorShape(bad.json, 'invalid_input', 'bad JSON');
    const unknown = await call('POST', '/api/call/no.such', { headers: bearer });
    expect(unknown.status).toBe(404);
    expectErrorShape(unknown.json, 'not_found', 'unknown method');
  });

  it('a malformed selection is a 400, never the whole stream (replay, export)', async () => {
    const before = (await s.jsm.streams.info('R')).state;
    const shapes: unknown[] = [[], ['1', '2'], [0], [1.5], '1,2', [-1], null, {}];
    for (const seqs of shapes) {
      for (const m of ['replay.dryRun', 'replay.start', 'messages.export']) {
        const r = await call('POST', `/api/call/${m}`, {
          headers: { ...bearer, 'content-type': 'application/json' },
          body: JSON.stringify({ source: { stream: 'R', seqs } }),
        });
        expect(r.status, `${m} ${JSON.stringify(seqs)}`).toBe(400);
        expectErrorShape(r.json, 'invalid_input', m);
      }
    }
    expect((await s.jsm.streams.info('R')).state).toMatchObject({
      messages: before.messages,
      last_seq: before.last_seq,
    });
  });

  it('unknown fields are refused, not dropped (`paylod` does not publish a null payload)', async () => {
    const before = (await s.jsm.streams.info('TASKS')).state.messages;
    for (const body of [
      { type: 'echo', paylod: { a: 1 } },
      { type: 'echo', payload: 1, headers: { a: 'b' }, extra: true },
    ]) {
      const rest = await call('POST', '/api/tasks', {
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(rest.status).toBe(400);
      expect((rest.json!.error as { message: string }).message).toMatch(/paylod|extra/);
      const viaCall = await call('POST', '/api/call/tasks.publish', {
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(viaCall.status).toBe(400);
    }
    expect((await s.jsm.streams.info('TASKS')).state.messages).toBe(before);
  });
});

describe('errors and payloads', () => {
  it('an unexpected error returns code, message and an id that is in the log — never the stack', async () => {
    const logged: string[] = [];
    const spy = vi
      .spyOn(console, 'error')
      .mockImplementation((...a: unknown[]) => void logged.push(a.map(String).join(' ')));
    const handlers = Reflect.get(tc.core.router, 'handlers') as Map<string, () => unknown>;
    const original = handlers.get('app.info')!;
    handlers.set('app.info', () => {
      throw new TypeError('secret internals: /home/user/.ssh');
    });
    try {
      expect(internalError(new Error('x')).detail).toMatchObject({
        errorId: expect.stringMatching(/^[0-9a-f]{12}$/),
      });
      const r = await call('POST', '/api/call/app.info', { headers: bearer });
      expect(r.status).toBe(500);
      expectErrorShape(r.json, 'internal', 'internal');
      const err = r.json!.error as { message: string; detail: { errorId: string } };
      expect(err.message).not.toContain('secret');
      expect(err.message).toContain(err.detail.errorId);
      expect(
        logged.some(
          (l) => l.includes(err.detail.errorId) && l.includes('secret internals') && /\n\s+at /.test(l),
        ),
      ).toBe(true);
      const ws = await openWs(`${serve.url.replace('http:', 'ws:')}/ws`, { headers: bearer });
      ws.send({ id: 1, method: 'app.info' });
      const reply = await ws.next((f) => f.id === 1);
      expect(JSON.stringify(reply)).not.toMatch(/secret|\bstack\b/);
      expect(reply).toMatchObject({ ok: false, error: { code: 'internal' } });
      await ws.close();
    } finally {
      handlers.set('app.info', original);
      spy.mockRestore();
    }
  });

  it('a task another client published with an absurdly deep payload stays readable', async () => {
    const deep = '['.repeat(5000) + '1' + ']'.repeat(5000);
    await s.publish(
      'tasks.new',
      `{"id":"deep-payload","type":"echo","created_at":"2026-01-01T00:00:00Z","payload":${deep},"metadata":{"m":${deep}}}`,
      'deep-payload',
    );
    const r = await until(
      () => call('GET', '/api/tasks/deep-payload', { headers: bearer }),
      (x) => x.status !== 404,
    );
    expect(r.status).toBe(200);
    expect(r.text).toContain(TOO_DEEP_MARKER);
    expect(r.json).toMatchObject({ id: 'deep-payload', type: 'echo' });
    const viaCall = await call('POST', '/api/call/tasks.get', {
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'deep-payload' }),
    });
    expect(viaCall.status).toBe(200);
    expect(viaCall.json).toMatchObject({ ok: true, result: { id: 'deep-payload' } });
  });
});

describe('auth hardening', () => {
  it('logs wrong tokens and slows repeated failures from one address', async () => {
    const lines: string[] = [];
    let now = 0;
    const t = new AuthThrottle(
      (l) => lines.push(l),
      () => now,
    );
    const delays = Array.from({ length: 10 }, () => t.fail('10.0.0.1', 'wrong token'));
    expect(delays.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(delays.slice(5)).toEqual([250, 500, 1000, 2000, 4000]);
    expect(t.fail('10.0.0.1', 'wrong token')).toBe(5000);
    expect(t.fail('10.0.0.2', 'wrong token')).toBe(0); // per address
    now += 61_000;
    expect(t.fail('10.0.0.1', 'wrong token')).toBe(0); // the window ends
    expect(lines[0]).toMatch(/wrong or missing token from 10\.0\.0\.1 \(wrong token\); 1 in the last minute/);

    const logged: string[] = [];
    const spy = vi
      .spyOn(console, 'error')
      .mockImplementation((...a: unknown[]) => void logged.push(a.map(String).join(' ')));
    try {
      const own = await startServe(tc.core, { host: '127.0.0.1', port: 0, token: TOKEN });
      try {
        const statuses = [];
        for (let i = 0; i < 7; i++)
          statuses.push(
            (await fetch(`${own.url}/api/health`, { headers: { authorization: 'Bearer guess' } })).status,
          );
        expect(statuses).toEqual(Array(7).fill(401));
        expect(logged.some((l) => /wrong or missing token from \S*127\.0\.0\.1/.test(l))).toBe(true);
        // The right token is still answered at once.
        expect((await fetch(`${own.url}/api/health`, { headers: bearer })).status).toBe(200);
      } finally {
        await own.close();
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('requires a strong --token', async () => {
    for (const weak of [
      'short-token',
      'a'.repeat(64),
      'abababababababababababababababababab',
      '0123456789012345678901234567890',
    ]) {
      await expect(startServe(tc.core, { host: '127.0.0.1', port: 0, token: weak }), weak).rejects.toThrow(
        /token/,
      );
    }
  });

  it('the WebSocket takes the token as a subprotocol and never echoes it', async () => {
    const c = await openWs(`${serve.url.replace('http:', 'ws:')}/ws`, {
      protocols: ['jetdeck', authSubprotocol(TOKEN)],
      origin: serve.url,
    });
    expect(c.ws.protocol).toBe('jetdeck');
    await c.close();
  });
});

describe('health', () => {
  it('liveness stays 200; readiness says when NATS is down (503)', async () => {
    expect((await call('GET', '/api/health/ready', { headers: bearer })).status).toBe(200);
    await tc.call('connections.disconnect');
    const live = await call('GET', '/api/health', { headers: bearer });
    expect(live.status).toBe(200);
    expect(live.json).toMatchObject({ ok: true, ready: false, nats: { connected: false } });
    const ready = await call('GET', '/api/health/ready', { headers: bearer });
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ ready: false, reason: expect.stringMatching(/NATS is/) });
  });
});
