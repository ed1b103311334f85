import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthCluster } from '../harness/cluster-auth';
import { makeTestCore, type TestCore } from '../harness/core';
import { pollUntil } from '../harness/poll';
import type { TestCluster } from '../harness/nats-server';
import { connectWith, waitFor, type SourceSetup } from './helpers';

let cluster: TestCluster;
const names = () => cluster.servers.map((s) => s.name).sort();

beforeAll(async () => {
  cluster = await startAuthCluster(3);
}, 30_000);
afterAll(async () => {
  await cluster?.dispose();
});

async function withCore(setup: SourceSetup, fn: (tc: TestCore) => Promise<void>): Promise<void> {
  const tc = makeTestCore();
  try {
    await connectWith(
      tc,
      setup,
      [cluster.urls[0]],
      cluster.servers.map((s) => s.monitorUrl),
    );
    await fn(tc);
  } finally {
    await tc.dispose();
  }
}

describe('monitor sources on a 3-node cluster', () => {
  it('system source: every server with varz, jsz, routes, health and the meta group', async () => {
    await withCore('system', async (tc) => {
      const src = await tc.call('monitor.sources');
      expect(src.source).toBe('system');
      expect(src.capabilities.allServers).toBe(true);
      const res = await tc.call('monitor.servers', { detail: true });
      expect(res.servers.map((s) => s.name).sort()).toEqual(names());
      for (const s of res.servers) {
        expect(s.state).toBe('up');
        expect(s.version).toBe('2.9.10');
        expect(s.cluster).toBeTruthy();
        expect(s.mem).toBeGreaterThan(0);
        expect(s.routes).toHaveLength(2);
        expect(s.health?.status).toBe('ok');
        expect(s.jsz?.meta?.leader).toBeTruthy();
        expect(s.uptimeSec).toBeGreaterThanOrEqual(0);
      }
      expect(res.account?.limits).toBeDefined();
      const connz = await tc.call('monitor.connz', { sort: 'outMsgs', order: 'desc' });
      expect(connz.scope).toBe('all');
      expect(connz.clients.length).toBeGreaterThanOrEqual(2); // the app and the monitor connection
      for (let i = 1; i < connz.clients.length; i++)
        expect(connz.clients[i - 1].outMsgs).toBeGreaterThanOrEqual(connz.clients[i].outMsgs);
    });
  }, 30_000);

  it('http source: every server whose URL is configured, explaining what system creds add', async () => {
    await withCore('http', async (tc) => {
      const src = await tc.call('monitor.sources');
      expect(src.source).toBe('http');
      expect(src.explanation).toMatch(/system-account credentials/);
      expect(src.fallbacks[0]).toMatchObject({ source: 'system' });
      // healthz says 'error' while a stream or consumer JetDeck just created is still catching up
      // on a replica; it must turn 'ok' on every server once that settles.
      const res = await pollUntil(() => tc.call('monitor.servers', { detail: true }), {
        what: 'every server healthy over http',
        timeoutMs: 15_000,
        intervalMs: 250,
        ok: (r) => r.servers.length === 3 && r.servers.every((s) => s.health?.status === 'ok'),
      });
      expect(res.servers.map((s) => s.name).sort()).toEqual(names());
      for (const s of res.servers) {
        expect(s.cpu).toBeGreaterThanOrEqual(0);
        expect(s.connections).toBeGreaterThanOrEqual(0);
        expect(s.jsz?.meta?.cluster).toBeTruthy();
        expect(s.health?.status).toBe('ok');
      }
      const connz = await tc.call('monitor.connz', { sort: 'cid', order: 'asc' });
      expect(connz.clients.some((c) => c.name === 'jetdeck')).toBe(true);
    });
  }, 30_000);

  it('account source: its own servers and connections, and says what it cannot see', async () => {
    await withCore('account', async (tc) => {
      const src = await tc.call('monitor.sources');
      expect(src.source).toBe('account');
      expect(src.explanation).toMatch(/system-account credentials/);
      expect(src.fallbacks.map((f) => f.source)).toEqual(['system', 'http']);
      const res = await tc.call('monitor.servers', { detail: true });
      const own = res.servers.find((s) => s.name === cluster.servers[0].name);
      expect(own?.account?.connections).toBeGreaterThanOrEqual(1);
      // include_unused makes the other servers answer too
      expect(res.servers.map((s) => s.name).sort()).toEqual(names());
      expect(res.servers.every((s) => s.cpu === undefined)).toBe(true);
      expect(res.account).toBeDefined();
      const connz = await tc.call('monitor.connz', {});
      expect(connz.scope).toBe('account');
      expect(connz.clients.some((c) => c.name === 'jetdeck')).toBe(true);
    });
  }, 30_000);

  it.each(['system', 'http', 'account'] as const)(
    '%s source: a killed node shows as down and its return as up',
    async (setup) => {
      await withCore(setup, async (tc) => {
        await tc.call('monitor.config.set', { intervalMs: 250 });
        const victim = cluster.servers[2];
        const state = async () =>
          (await tc.call('monitor.servers', { detail: false })).servers.find((s) => s.name === victim.name)
            ?.state;
        await waitFor(async () => (await state()) === 'up', `${victim.name} up`);
        await victim.kill();
        await waitFor(async () => (await state()) === 'down', `${victim.name} down`);
        await victim.start();
        await waitFor(async () => (await state()) === 'up', `${victim.name} up again`, 20_000);
      });
    },
    60_000,
  );
});
