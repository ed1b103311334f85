import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../../core/serve/server';
import { MAX_TAILS_PER_CLIENT } from '../../core/messages/feature';
import { CLOSE_OVER_CAP } from '../../core/serve/ws-bridge';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { openWs } from './helpers';
import { pollUntil } from '../harness/poll';

/** What one WebSocket client may cost the server: unread replies are capped, owned tails end with it. */

const TOKEN = 'ws-limits-test-token-0123456789-abcdefGHIJ';
const bearer = { authorization: `Bearer ${TOKEN}` };
const CAP = 1024 * 1024;
/** Big enough that a few replies pass the cap, small enough not to flood the core's own NATS connection. */
const BIG = 256 * 1024;

let nats: TestServer;
let nc: NatsConnection;
let tc: TestCore;
let serve: ServeHandle;
let wsUrl: string;

beforeAll(async () => {
  nats = await startServer();
  nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'BIG', subjects: ['big.>'] });
  await jetstream(nc).publish('big.one', new Uint8Array(BIG).fill(120));
  await jsm.streams.add({ name: 'TAILED', subjects: ['tailed.>'] });
  tc = makeTestCore();
  await tc.connectTo(nats.url);
  serve = await startServe(tc.core, {
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    wsMaxBufferedBytes: CAP / 4,
    wsMaxSocketBytes: CAP,
  });
  wsUrl = `${serve.url.replace('http:', 'ws:')}/ws`;
});

afterAll(async () => {
  await serve?.close();
  await tc?.dispose();
  await nc?.close();
  await stopAll();
});

async function consumerCount(stream: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(stream)).state.consumer_count;
}

/** Polls a condition until it holds (the harness's pollUntil). */
const until = (cond: () => Promise<boolean>) =>
  pollUntil(cond, { what: 'the condition', timeoutMs: 50_000, intervalMs: 50 });

describe('WebSocket bridge: live tails belong to their socket', () => {
  it('caps tails per socket and removes their server consumers when the socket closes', async () => {
    // Runs before the cap test, which floods the core's NATS connection (the server may cut it as a
    // slow consumer; its first JetStream requests after that can time out).
    await until(async () => (await tc.call('connections.status')).state === 'connected');
    // ...and its first JetStream requests after that can time out: wait until one is answered.
    await until(() =>
      tc.call('streams.info', { name: 'TAILED' }).then(
        () => true,
        () => false,
      ),
    );
    const a = await openWs(wsUrl, { headers: bearer });
    const b = await openWs(wsUrl, { headers: bearer });
    const start = (c: typeof a, id: number) => {
      c.send({ id, method: 'messages.tail.start', input: { stream: 'TAILED' } });
      // Each start creates a server consumer: slow on a loaded machine, so wait longer than the default.
      return c.next((f) => f.id === id, 20_000);
    };
    for (let i = 0; i < MAX_TAILS_PER_CLIENT; i++) {
      expect(await start(a, i + 1)).toMatchObject({ ok: true, result: { state: 'running' } });
    }
    const over = await start(a, 99);
    expect(over).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(JSON.stringify(over)).toMatch(/already runs 8 live tails.*stop one first/);
    // The cap is per client: another socket still gets one.
    expect(await start(b, 1)).toMatchObject({ ok: true });
    expect(await consumerCount('TAILED')).toBe(MAX_TAILS_PER_CLIENT + 1);

    // The tails still deliver to their socket.
    await jetstream(nc).publish('tailed.x', new TextEncoder().encode('hi'));
    expect(await a.next((f) => f.event === 'messages.tail', 20_000)).toBeTruthy();

    await a.close();
    await until(async () => (await consumerCount('TAILED')) === 1);
    const list = await tc.call('messages.tail.list');
    expect(list.tails).toHaveLength(1);
    await b.close();
    await until(async () => (await consumerCount('TAILED')) === 0);
    expect((await tc.call('messages.tail.list')).tails).toHaveLength(0);
  }, 120_000);

  it('refuses a tail over REST, where no client could receive it', async () => {
    const res = await fetch(`${serve.url}/api/call/messages.tail.start`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ stream: 'TAILED' }),
    });
    expect(res.ok).toBe(false);
    expect(await res.text()).toMatch(/connected client/);
    expect(await consumerCount('TAILED')).toBe(0);
  });
});

describe('WebSocket bridge: per-socket cap', () => {
  it('drops a socket that stops reading its replies, with a clear close code, and keeps RSS bounded', async () => {
    const reader = await openWs(wsUrl, { headers: bearer });
    // One reply's size, read normally.
    reader.send({ id: 1, method: 'messages.get', input: { stream: 'BIG', seq: 1 } });
    const one = await reader.next((f) => f.id === 1);
    const replyBytes = JSON.stringify(one).length;
    expect(replyBytes).toBeGreaterThan(BIG);

    const slow = await openWs(wsUrl, { headers: bearer });
    let closeCode: number | undefined;
    let closeReason = '';
    const closed = new Promise<void>((resolve) =>
      slow.ws.once('close', (code, reason) => {
        closeCode = code;
        closeReason = reason.toString();
        resolve();
      }),
    );
    // The client stops reading: its TCP window fills, then the server's send buffer.
    slow.ws.pause();
    const rss0 = process.memoryUsage().rss;
    const calls = 1000; // ~1000 x 0.35 MB of replies: ~350 MB if nothing were capped
    for (let i = 0; i < calls; i++) {
      slow.send({ id: 100 + i, method: 'messages.get', input: { stream: 'BIG', seq: 1 } });
    }
    const serverSide = () => [...serve.app.websocketServer.clients].find((c) => c.readyState !== c.OPEN);
    // Wait on the condition (the bridge giving up on the socket), bounded by the test timeout.
    let worst = 0;
    while (!serverSide()) {
      for (const c of serve.app.websocketServer.clients) worst = Math.max(worst, c.bufferedAmount);
      await new Promise((r) => setTimeout(r, 2));
    }
    const rssAtDrop = process.memoryUsage().rss;
    expect(serve.bridge.droppedSockets).toBe(1);
    // Never more than the cap plus the one reply that crossed it waited in user space.
    expect(worst).toBeLessThanOrEqual(CAP + replyBytes);
    expect(rssAtDrop - rss0).toBeLessThan(150 * 1024 * 1024);

    // Reading again, the client gets what was queued and then the close frame with its reason.
    slow.ws.resume();
    await closed;
    expect(closeCode).toBe(CLOSE_OVER_CAP);
    expect(closeReason).toMatch(/not reading.*cap/);

    // The other client is still served.
    reader.send({ id: 2, method: 'connections.status' });
    expect(await reader.next((f) => f.id === 2)).toMatchObject({ ok: true });
    expect(reader.ws.readyState).toBe(WebSocket.OPEN);
    await reader.close();
  });
});
