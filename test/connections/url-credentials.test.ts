import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serverLabel, splitUrlCredentials } from '../../api/nats-url';
import { autoConnect, CLI_PROFILE_ID } from '../../core/backend';
import { userPassConfig, tokenConfig } from '../harness/auth-config';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { spawnWorker } from '../workers/exactly-once';

/** `--nats nats://user:pass@host`: the password goes to the secret store and nowhere else. */

const USER = 'deck';
const PASSWORD = 'pw-Sup3rSecret-xyz';
let server: TestServer;
const cores: TestCore[] = [];

beforeAll(async () => {
  server = await startServer({ extraConfig: userPassConfig(USER, PASSWORD) });
});
afterAll(async () => {
  for (const c of cores) await c.dispose();
  await stopAll();
});

function track(t: TestCore): TestCore {
  cores.push(t);
  return t;
}

describe('splitting credentials off server URLs', () => {
  it('moves user:pass and token userinfo to an auth entry and keeps host and port', () => {
    expect(splitUrlCredentials(['nats://a:b%40c@h1:4222', 'tls://a:b%40c@h2'])).toEqual({
      servers: ['nats://h1:4222', 'tls://h2'],
      auth: { kind: 'userpass', user: 'a', password: 'b@c' },
    });
    expect(splitUrlCredentials(['nats://tok@h:1'])).toEqual({
      servers: ['nats://h:1'],
      auth: { kind: 'token', token: 'tok' },
    });
    expect(splitUrlCredentials(['h:1', 'nats://h2'])).toEqual({ servers: ['h:1', 'nats://h2'] });
    expect(() => splitUrlCredentials(['nats://a:b@h1', 'nats://a:c@h2'])).toThrow(/different credentials/);
    expect(serverLabel('nats://u:p@10.0.0.1:4333')).toBe('10.0.0.1:4333');
    expect(serverLabel('demo.nats.io')).toBe('demo.nats.io:4222');
    expect(serverLabel('nats://[::1]')).toBe('[::1]:4222');
  });
});

describe('--nats with a password (serve)', () => {
  it('connects, names the profile after the server and never stores, lists or emits the password', async () => {
    const t = track(makeTestCore());
    const seen: string[] = [];
    t.core.bus.onAny((topic, payload) => seen.push(JSON.stringify({ topic, payload })));
    const logs = [vi.spyOn(console, 'error'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'log')];
    const hostPort = `127.0.0.1:${server.port}`;
    try {
      await autoConnect(t.core, { natsUrl: `nats://${USER}:${PASSWORD}@${hostPort}` });
      const status = await t.call('connections.status');
      expect(status).toMatchObject({ state: 'connected', profileId: CLI_PROFILE_ID, profileName: hostPort });
      const list = await t.call('connections.list');
      const cli = list.profiles.find((p) => p.id === CLI_PROFILE_ID);
      expect(cli).toMatchObject({
        name: hostPort,
        servers: [`nats://${hostPort}`],
        auth: { kind: 'userpass', user: USER, hasSecret: true },
      });
      const everywhere = [
        JSON.stringify(list),
        JSON.stringify(status),
        readFileSync(join(t.dataDir, 'profiles.json'), 'utf8'),
        readFileSync(join(t.dataDir, 'secrets.json'), 'utf8'),
        ...seen,
        ...logs.flatMap((l) => l.mock.calls.map((c) => c.map(String).join(' '))),
      ];
      expect(seen.length).toBeGreaterThan(0);
      for (const text of everywhere) expect(text).not.toContain(PASSWORD);
      // It is in the secret store, readable by the core only.
      expect(t.core.profiles.resolve(CLI_PROFILE_ID).auth).toEqual({
        kind: 'userpass',
        user: USER,
        password: PASSWORD,
      });
    } finally {
      logs.forEach((l) => l.mockRestore());
    }
  });

  it('moves a password already written into profiles.json by an older version', async () => {
    const first = track(makeTestCore());
    const p = await first.call('connections.save', { name: 'plain', servers: [server.url] });
    const file = join(first.dataDir, 'profiles.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { profiles: { servers: string[] }[] };
    doc.profiles[0]!.servers = [`nats://${USER}:${PASSWORD}@127.0.0.1:${server.port}`];
    writeFileSync(file, JSON.stringify(doc));
    await first.core.dispose();

    const t = track(makeTestCore({ dataDir: first.dataDir }));
    expect(readFileSync(file, 'utf8')).not.toContain(PASSWORD);
    expect((await t.call('connections.list')).profiles[0]).toMatchObject({
      servers: [server.url],
      auth: { kind: 'userpass', user: USER, hasSecret: true },
    });
    await t.call('connections.connect', { id: p.id });
    expect((await t.call('connections.status')).state).toBe('connected');
  });

  it('a profile saved through the contract with credentials in its URL stores them as secrets', async () => {
    const tokenServer = await startServer({ extraConfig: tokenConfig('tok-Very-Secret-123') });
    const t = track(makeTestCore());
    const p = await t.call('connections.save', {
      name: 'with token',
      servers: [`nats://tok-Very-Secret-123@127.0.0.1:${tokenServer.port}`],
    });
    expect(JSON.stringify(p)).not.toContain('tok-Very-Secret-123');
    expect(p.auth).toMatchObject({ kind: 'token', hasSecret: true });
    expect(readFileSync(join(t.dataDir, 'profiles.json'), 'utf8')).not.toContain('tok-Very-Secret-123');
    await t.call('connections.connect', { id: p.id });
    expect((await t.call('connections.status')).state).toBe('connected');
    // Testing an unsaved profile uses the URL's credentials too.
    const tested = await t.call('connections.test', {
      name: 'try',
      servers: [`nats://tok-Very-Secret-123@127.0.0.1:${tokenServer.port}`],
    });
    expect(tested).toMatchObject({ ok: true });
    expect(JSON.stringify(tested)).not.toContain('tok-Very-Secret-123');
    await expect(
      t.call('connections.save', {
        name: 'both',
        servers: [`nats://u:p@127.0.0.1:${tokenServer.port}`],
        auth: { kind: 'token', token: 'x' },
      }),
    ).rejects.toThrow(/give the credentials once/);
  });
});

describe('--nats with a password (worker)', () => {
  it('connects with the URL credentials and never prints them', async () => {
    const w = spawnWorker([`nats://${USER}:${PASSWORD}@127.0.0.1:${server.port}`], 'cred-worker', 1);
    await w.running;
    w.proc.kill('SIGTERM');
    await w.exited;
    expect(w.output()).toContain('cred-worker: running');
    expect(w.output()).not.toContain(PASSWORD);
  });
});
