import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServeError, startServe, type ServeHandle } from '../../core/serve/server';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { authSubprotocol } from '../../api/ws-protocol';
import { openWs, rawGet } from './helpers';

const TOKEN = 'serve-test-token-0123456789-abcdefghijkLMNOP';
const bearer = { authorization: `Bearer ${TOKEN}` };

let nats: TestServer;
let tc: TestCore;
let serve: ServeHandle;
let root: string;
let wsUrl: string;

beforeAll(async () => {
  nats = await startServer();
  tc = makeTestCore();
  await tc.connectTo(nats.url);
  root = mkdtempSync(join(tmpdir(), 'jetdeck-serve-ui-'));
  const uiDir = join(root, 'ui');
  mkdirSync(join(uiDir, 'assets'), { recursive: true });
  writeFileSync(
    join(uiDir, 'index.html'),
    '<!doctype html><title>JetDeck test UI</title><div id="root"></div>',
  );
  writeFileSync(join(uiDir, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(root, 'secret.txt'), 'TOP-SECRET-OUTSIDE-UI');
  serve = await startServe(tc.core, { host: '127.0.0.1', port: 0, token: TOKEN, uiDir });
  wsUrl = `${serve.url.replace('http:', 'ws:')}/ws`;
});

afterAll(async () => {
  await serve?.close();
  await tc?.dispose();
  await stopAll();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('jetdeck serve: HTTP auth', () => {
  it('answers 401 with the JSON error shape without a token, with a wrong one, and for a cookie', async () => {
    const variants: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-xxxxxx' },
      // Cookies ignore ports, so a cookie is never a credential here.
      { cookie: `jetdeck_token_${serve.port}=${TOKEN}` },
    ];
    for (const headers of variants) {
      const res = await fetch(`${serve.url}/api/health`, { headers });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
      expect(body.ok).toBe(false);
      expect(body.error.code).toBe('unauthorized');
      expect(body.error.message).toMatch(/token/);
    }
  });

  it('serves the UI files without a credential and never sets a cookie', async () => {
    // The page holds no data; it presents the token itself (Authorization, WS subprotocol).
    for (const path of ['/', '/assets/app.js', `/connections?token=${TOKEN}&tab=2`]) {
      const res = await fetch(`${serve.url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('set-cookie'), path).toBeNull();
      expect(await res.text(), path).not.toContain(TOKEN);
    }
  });

  it('accepts Authorization: Bearer and serves static files', async () => {
    const js = await fetch(`${serve.url}/assets/app.js`, { headers: bearer });
    expect(js.status).toBe(200);
    expect(await js.text()).toBe('console.log("app")');
    const missing = await fetch(`${serve.url}/assets/missing.js`, { headers: bearer });
    expect(missing.status).toBe(404);
  });

  it('puts the security headers on every response, errors included', async () => {
    for (const res of [
      await fetch(`${serve.url}/api/health`, { headers: bearer }),
      await fetch(`${serve.url}/api/health`),
      await fetch(`${serve.url}/`, { headers: bearer }),
      await fetch(`${serve.url}/api/nope`, { headers: bearer }),
    ]) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${serve.port}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('never serves files outside the UI folder', async () => {
    const attempts = [
      '/..%2fsecret.txt',
      '/..%2f..%2fpackage.json',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/../../secret.txt',
      '/..%5csecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/index.html%00.js',
    ];
    for (const path of attempts) {
      const res = await rawGet(serve.url, path, bearer);
      expect(res.body, path).not.toContain('TOP-SECRET');
      expect(res.body, path).not.toContain('"name": "jetdeck"');
      expect(res.status, path).toBe(404);
    }
  });
});

describe('jetdeck serve: REST', () => {
  it('GET /api/health reports the live NATS connection', async () => {
    const res = await fetch(`${serve.url}/api/health`, { headers: bearer });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; nats: Record<string, unknown> };
    expect(body).toEqual({
      ok: true,
      ready: true,
      nats: {
        connected: true,
        server: `nats://127.0.0.1:${nats.port}`,
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        jetstream: true,
      },
    });
  });

  it('POST /api/call/:method maps errors to HTTP statuses with the envelope', async () => {
    const bad = await fetch(`${serve.url}/api/call/connections.save`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '', servers: [] }),
    });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(badBody.ok).toBe(false);
    expect(badBody.error.code).toBe('invalid_input');
    expect(badBody.error.message).toMatch(/name|server/);

    const ok = await fetch(`${serve.url}/api/call/connections.status`, { method: 'POST', headers: bearer });
    expect(ok.status).toBe(200);
    const okBody = (await ok.json()) as { ok: boolean; result: { state: string } };
    expect(okBody).toMatchObject({ ok: true, result: { state: 'connected' } });

    const unknown = await fetch(`${serve.url}/api/call/no.such`, { method: 'POST', headers: bearer });
    expect(unknown.status).toBe(404);
  });

  it('maps a broken JSON body to 400 and an oversize body to 413, both with the error shape', async () => {
    const broken = await fetch(`${serve.url}/api/call/connections.save`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('invalid_input');

    const huge = await fetch(`${serve.url}/api/call/connections.save`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(5 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('refuses cross-origin writes even with a valid token', async () => {
    const res = await fetch(`${serve.url}/api/call/connections.disconnect`, {
      method: 'POST',
      headers: { ...bearer, origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
    expect((await tc.call('connections.status')).state).toBe('connected');
  });
});

describe('jetdeck serve: WebSocket bridge', () => {
  it('round-trips a call and forwards bus events', async () => {
    const c = await openWs(wsUrl, { headers: bearer });
    c.send({ id: 1, method: 'connections.status' });
    const reply = await c.next((f) => f.id === 1);
    expect(reply).toMatchObject({
      id: 1,
      ok: true,
      result: { state: 'connected', server: `127.0.0.1:${nats.port}` },
    });

    c.send({ id: 2, method: 'connections.save', input: { name: 'from ws', servers: [nats.url] } });
    expect(await c.next((f) => f.id === 2)).toMatchObject({ ok: true, result: { name: 'from ws' } });
    const ev = await c.next((f) => f.event === 'connections.changed');
    const profiles = (ev.payload as { profiles: { name: string }[] }).profiles;
    expect(profiles.map((p) => p.name)).toContain('from ws');
    await c.close();
  });

  it('accepts the browser UI: the token subprotocol plus our own Origin, selecting only `jetdeck`', async () => {
    const c = await openWs(wsUrl, { protocols: ['jetdeck', authSubprotocol(TOKEN)], origin: serve.url });
    expect(c.ws.protocol).toBe('jetdeck');
    c.send({ id: 7, method: 'connections.status' });
    expect(await c.next((f) => f.id === 7)).toMatchObject({ ok: true });
    await c.close();
  });

  it('rejects a foreign Origin, a missing or wrong token, and a cookie', async () => {
    await expect(openWs(wsUrl, { headers: bearer, origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(
      openWs(wsUrl, { protocols: ['jetdeck', authSubprotocol(TOKEN)], origin: 'http://127.0.0.1:1' }),
    ).rejects.toThrow(/403/);
    await expect(openWs(wsUrl)).rejects.toThrow(/401/);
    await expect(openWs(wsUrl, { origin: serve.url })).rejects.toThrow(/401/);
    await expect(
      openWs(wsUrl, { protocols: ['jetdeck', authSubprotocol(`${TOKEN}x`)], origin: serve.url }),
    ).rejects.toThrow(/401/);
    await expect(
      openWs(wsUrl, { headers: { cookie: `jetdeck_token_${serve.port}=${TOKEN}` }, origin: serve.url }),
    ).rejects.toThrow(/401/);
  });

  it('answers bad frames with an error envelope and keeps the socket usable', async () => {
    const c = await openWs(wsUrl, { headers: bearer });
    c.send('this is not json');
    const notJson = await c.next((f) => f.id === null);
    expect(notJson).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect((notJson.error as { message: string }).message).toMatch(/not valid JSON/);

    c.send({ id: 5, method: 42 });
    expect(await c.next((f) => f.id === 5)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    c.send({ id: 6, method: 'connections.save', input: { servers: 'nope' } });
    expect(await c.next((f) => f.id === 6)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    c.send({ id: 8, method: 'connections.status' });
    expect(await c.next((f) => f.id === 8)).toMatchObject({ ok: true, result: { state: 'connected' } });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    await c.close();
  });

  it('closes a socket that stops reading instead of buffering without bound', async () => {
    const s = await startServe(tc.core, {
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      wsMaxBufferedBytes: 1024 * 1024,
      wsStallMs: 300,
    });
    const url = `${s.url.replace('http:', 'ws:')}/ws`;
    try {
      const slow = await openWs(url, { headers: bearer });
      const fast = await openWs(url, { headers: bearer });
      let closeCode: number | undefined;
      slow.ws.once('close', (code) => (closeCode = code));
      slow.ws.pause();
      const line = 'x'.repeat(256 * 1024);
      const deadline = Date.now() + 20_000;
      // Keep emitting while the paused client falls behind; the bridge must give up on it.
      const serverGaveUp = () =>
        [...s.app.websocketServer.clients].some((c) => c.readyState === WebSocket.CLOSING);
      while (!serverGaveUp() && Date.now() < deadline) {
        tc.core.bus.emit('localServer.log', { lines: [line] });
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(serverGaveUp()).toBe(true);
      slow.ws.resume();
      await new Promise<void>((resolve) =>
        closeCode !== undefined ? resolve() : slow.ws.once('close', () => resolve()),
      );
      expect(closeCode).toBe(1013);
      // The client that kept reading is still served.
      fast.send({ id: 1, method: 'connections.status' });
      expect(await fast.next((f) => f.id === 1, 15_000)).toMatchObject({ ok: true });
      await fast.close();
    } finally {
      await s.close();
    }
  });
});

describe('jetdeck serve: startup checks', () => {
  it('refuses a non-loopback host without an explicit token', async () => {
    await expect(startServe(tc.core, { host: '0.0.0.0', port: 0 })).rejects.toThrow(ServeError);
    await expect(startServe(tc.core, { host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /Refusing to listen on 0\.0\.0\.0 without an explicit token/,
    );
  });

  it('reports a busy port clearly', async () => {
    await expect(startServe(tc.core, { host: '127.0.0.1', port: serve.port, token: TOKEN })).rejects.toThrow(
      /already in use.*--port/,
    );
  });

  it('serves a "UI not built" page when the UI folder has no index.html', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'jetdeck-empty-ui-'));
    const s = await startServe(tc.core, { host: '127.0.0.1', port: 0, token: TOKEN, uiDir: empty });
    try {
      const res = await fetch(`${s.url}/`, { headers: bearer });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('UI not built: run npm run build');
    } finally {
      await s.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
