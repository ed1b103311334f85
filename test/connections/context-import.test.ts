import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultContextDir } from '../../core/connections/context-import';
import { newNKeyUser, nkeyConfig } from '../harness/auth-config';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll } from '../harness/nats-server';

let root: string;
let ctxDir: string;
let t: TestCore;
const savedEnv = {
  NATS_URL: process.env.NATS_URL,
  NATS_USER: process.env.NATS_USER,
  NATS_PASSWORD: process.env.NATS_PASSWORD,
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'jetdeck-ctx-'));
  ctxDir = join(root, 'nats', 'context');
  mkdirSync(ctxDir, { recursive: true });
  delete process.env.NATS_URL;
  delete process.env.NATS_USER;
  delete process.env.NATS_PASSWORD;
  t = makeTestCore();
});
afterEach(async () => {
  await t.dispose();
  rmSync(root, { recursive: true, force: true });
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
afterAll(stopAll);

const writeCtx = (name: string, body: unknown) =>
  writeFileSync(
    join(ctxDir, `${name}.json`),
    typeof body === 'string' ? body : JSON.stringify(body, null, 2),
  );

describe('nats CLI context import', () => {
  it('imports every context, marks the selected one, skips bad files with the reason', async () => {
    writeCtx('dev', { description: 'local dev', url: 'nats://127.0.0.1:4333' });
    writeCtx('prod', {
      url: 'tls://a.example:4222, tls://b.example:4222',
      user: 'ops',
      password: 'prod-pw',
      ca: '/etc/ca.pem',
      tls_first: true,
    });
    writeCtx('tok', { url: 'nats://tok.example:4222', token: 'ctx-token' });
    writeCtx('ngs', { url: 'tls://connect.ngs.global', creds: '/home/x/ngs.creds' });
    writeCtx('broken', '{ not json');
    writeCtx('badurl', { url: 'http://not nats' });
    writeCtx('badnkey', { url: 'nats://x:1', nkey: join(root, 'missing.nk') });
    writeFileSync(join(root, 'nats', 'context.txt'), 'prod\n');

    const res = await t.call('connections.importContexts', { dir: ctxDir, includeEnv: false });
    expect(res.selected).toBe('prod');
    expect(res.imported.map((p) => p.name).sort()).toEqual(['dev', 'ngs', 'prod', 'tok']);
    expect(res.skipped.map((s) => s.file.split('/').pop()).sort()).toEqual([
      'badnkey.json',
      'badurl.json',
      'broken.json',
    ]);
    const reasons = Object.fromEntries(res.skipped.map((s) => [s.file.split('/').pop(), s.reason]));
    expect(reasons['broken.json']).toMatch(/not a readable JSON file/);
    expect(reasons['badurl.json']).toMatch(/expected a server URL/);
    expect(reasons['badnkey.json']).toMatch(/cannot read the nkey seed file/);

    const byName = Object.fromEntries(res.imported.map((p) => [p.name, p]));
    expect(byName.prod).toMatchObject({
      source: 'nats-context',
      selectedContext: true,
      servers: ['tls://a.example:4222', 'tls://b.example:4222'],
      auth: { kind: 'userpass', user: 'ops', hasSecret: true },
      tls: { enabled: true, caFile: '/etc/ca.pem', handshakeFirst: true },
    });
    expect(byName.dev).toMatchObject({
      selectedContext: false,
      servers: ['nats://127.0.0.1:4333'],
      auth: { kind: 'none' },
    });
    expect(byName.tok.auth).toMatchObject({ kind: 'token', hasSecret: true });
    expect(byName.ngs.auth).toMatchObject({ kind: 'creds', credsFile: '/home/x/ngs.creds' });
    // Secrets went to the encrypted store only.
    const profilesJson = readFileSync(join(t.dataDir, 'profiles.json'), 'utf8');
    expect(profilesJson).not.toContain('prod-pw');
    expect(profilesJson).not.toContain('ctx-token');
    expect(t.core.profiles.resolve(byName.prod.id).auth).toEqual({
      kind: 'userpass',
      user: 'ops',
      password: 'prod-pw',
    });
  });

  it('re-import updates the same profiles instead of duplicating them', async () => {
    writeCtx('dev', { url: 'nats://127.0.0.1:4333' });
    writeCtx('other', { url: 'nats://127.0.0.1:4334' });
    writeFileSync(join(root, 'nats', 'context.txt'), 'dev');
    const first = await t.call('connections.importContexts', { dir: ctxDir, includeEnv: false });
    writeCtx('dev', { url: 'nats://127.0.0.1:5555', token: 'new-token' });
    writeFileSync(join(root, 'nats', 'context.txt'), 'other');
    const second = await t.call('connections.importContexts', { dir: ctxDir, includeEnv: false });

    const list = await t.call('connections.list');
    expect(list.profiles).toHaveLength(2);
    const dev1 = first.imported.find((p) => p.name === 'dev');
    const dev2 = second.imported.find((p) => p.name === 'dev');
    expect(dev2?.id).toBe(dev1?.id);
    expect(dev2).toMatchObject({
      servers: ['nats://127.0.0.1:5555'],
      auth: { kind: 'token', hasSecret: true },
      selectedContext: false,
    });
    expect(second.imported.find((p) => p.name === 'other')?.selectedContext).toBe(true);
  });

  it("leaves a user's own profile of the same name alone", async () => {
    await t.call('connections.save', { name: 'dev', servers: ['nats://127.0.0.1:7000'] });
    writeCtx('dev', { url: 'nats://127.0.0.1:4333' });
    const res = await t.call('connections.importContexts', { dir: ctxDir, includeEnv: false });
    expect(res.imported.map((p) => p.name)).toEqual(['dev (nats context)']);
    const again = await t.call('connections.importContexts', { dir: ctxDir, includeEnv: false });
    expect(again.imported[0].id).toBe(res.imported[0].id);
    expect((await t.call('connections.list')).profiles).toHaveLength(2);
  });

  it('imports NATS_URL as an env profile, moving URL credentials into the secret store', async () => {
    process.env.NATS_URL = 'nats://envuser:env-pw@127.0.0.1:4444,nats://127.0.0.1:4445';
    const res = await t.call('connections.importContexts', { dir: join(root, 'does-not-exist') });
    expect(res.skipped).toEqual([]);
    expect(res.imported).toHaveLength(1);
    expect(res.imported[0]).toMatchObject({
      name: 'NATS_URL',
      source: 'env',
      servers: ['nats://127.0.0.1:4444', 'nats://127.0.0.1:4445'],
      auth: { kind: 'userpass', user: 'envuser', hasSecret: true },
    });
    expect(readFileSync(join(t.dataDir, 'profiles.json'), 'utf8')).not.toContain('env-pw');
    const none = await t.call('connections.importContexts', {
      dir: join(root, 'does-not-exist'),
      includeEnv: false,
    });
    expect(none.imported).toEqual([]);
  });

  it('an imported nkey context connects to a server that requires that key', async () => {
    const user = newNKeyUser();
    const s = await startServer({ jetstream: false, extraConfig: nkeyConfig([user.publicKey]) });
    const seedFile = join(root, 'user.nk');
    writeFileSync(seedFile, `${user.seed}\n`, { mode: 0o600 });
    writeCtx('nk', { url: s.url, nkey: seedFile });
    const res = await t.call('connections.importContexts', { dir: ctxDir, includeEnv: false });
    expect(res.imported[0].auth).toMatchObject({ kind: 'nkey', hasSecret: true });
    const status = await t.call('connections.connect', { id: res.imported[0].id });
    expect(status.state).toBe('connected');
  });

  it('defaults to $XDG_CONFIG_HOME/nats/context', () => {
    expect(defaultContextDir({ XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/nats/context');
    expect(defaultContextDir({})).toMatch(/\.config\/nats\/context$/);
  });
});
