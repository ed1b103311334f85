import { createServer, type Server, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../api/client';
import { ApiError } from '../../api/errors';
import { startServe, type ServeHandle } from '../../core/serve/server';
import {
  createWsTransport,
  type SocketConstructor,
  type WsTransport,
} from '../../renderer/transport/ws-transport';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';

/**
 * The renderer's WebSocket transport against a real `jetdeck serve`, run under Node with the
 * `ws` package standing in for the browser WebSocket; the token travels as the browser sends
 * it, in the `jetdeck.auth.*` subprotocol.
 */

const TOKEN = 'transport-test-token-0123-abcdefghijklmnop';
let nats: TestServer;
let tc: TestCore;
let serve: ServeHandle;
const transports: WsTransport[] = [];

function transportFor(s: ServeHandle, queueTimeoutMs?: number): WsTransport {
  const t = createWsTransport(`${s.url.replace('http:', 'ws:')}/ws`, {
    WebSocketImpl: WebSocket as unknown as SocketConstructor,
    token: TOKEN,
    minBackoffMs: 50,
    maxBackoffMs: 200,
    queueTimeoutMs,
  });
  transports.push(t);
  return t;
}

function nextState(t: WsTransport, want: 'open' | 'closed'): Promise<void> {
  if (t.state === want) return Promise.resolve();
  return new Promise((resolve) => {
    const off = t.onState((s) => {
      if (s === want) {
        off();
        resolve();
      }
    });
  });
}

function dropServerSockets(s: ServeHandle): void {
  for (const c of s.app.websocketServer.clients) c.terminate();
}

beforeAll(async () => {
  nats = await startServer();
  tc = makeTestCore();
  await tc.connectTo(nats.url);
  serve = await startServe(tc.core, { host: '127.0.0.1', port: 0, token: TOKEN });
});

afterAll(async () => {
  transports.forEach((t) => t.close());
  await serve?.close();
  await tc?.dispose();
  await stopAll();
});

describe('renderer WebSocket transport', () => {
  it('calls, receives events and rebuilds errors as ApiError', async () => {
    const t = transportFor(serve);
    const api = createClient(t);
    // Called before the socket is open: waits for it.
    const status = await api.call('connections.status');
    expect(status.state).toBe('connected');
    expect(t.state).toBe('open');

    const changed = new Promise<string[]>((resolve) => {
      const off = api.on('connections.changed', (p) => {
        off();
        resolve(p.profiles.map((x) => x.name));
      });
    });
    await api.call('connections.save', { name: 'via transport', servers: [nats.url] });
    expect(await changed).toContain('via transport');

    const err = await api.call('connections.save', { name: '', servers: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('invalid_input');
  });

  it('fails in-flight calls as unreachable on a drop, reconnects, and runs calls queued meanwhile', async () => {
    // A TCP server that never speaks NATS keeps connections.test waiting: a call in flight.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((sock) => sockets.add(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const t = transportFor(serve);
      const api = createClient(t);
      const states: string[] = [];
      t.onState((s) => states.push(s));
      await nextState(t, 'open');

      const inFlight = api
        .call('connections.test', { name: 'silent', servers: [`nats://127.0.0.1:${port}`] })
        .catch((e: unknown) => e);
      // Wait until the server is really working on it (the silent server got the TCP connection).
      const deadline = Date.now() + 5000;
      while (sockets.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(sockets.size).toBeGreaterThan(0);

      const closed = nextState(t, 'closed');
      dropServerSockets(serve);
      const err = await inFlight;
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('unreachable');
      await closed;

      const queued = api.call('connections.status'); // made while closed
      await nextState(t, 'open');
      expect((await queued).state).toBe('connected');
      expect(states).toEqual(['open', 'closed', 'open']);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it('fails queued calls as unreachable when the server stays away', async () => {
    const other = await startServe(tc.core, { host: '127.0.0.1', port: 0, token: TOKEN });
    const t = transportFor(other, 300);
    const api = createClient(t);
    await nextState(t, 'open');
    await other.close();
    await nextState(t, 'closed');
    const err = await api.call('connections.status').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('unreachable');
    t.close();
    expect(t.state).toBe('closed');
  });
});
