import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus, ProfileInput } from '../../api/features/connections';
import { ApiError } from '../../api/errors';
import {
  makeOperatorSetup,
  makeTlsFiles,
  newNKeyUser,
  nkeyConfig,
  tlsConfig,
  tokenConfig,
  userPassConfig,
  type TlsFiles,
} from '../harness/auth-config';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll } from '../harness/nats-server';

const tmp = mkdtempSync(join(tmpdir(), 'jetdeck-auth-'));
let t: TestCore;

afterEach(async () => {
  await t?.dispose();
});
afterAll(async () => {
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

/** Saves, tests and connects a profile; returns what each step said. */
async function saveTestConnect(input: ProfileInput) {
  t = makeTestCore();
  const saved = await t.call('connections.save', input);
  const tested = await t.call('connections.test', { id: saved.id });
  const connected = await t.call('connections.connect', { id: saved.id });
  return { saved, tested, connected };
}

async function expectConnectError(id: string): Promise<ApiError> {
  try {
    await t.call('connections.connect', { id });
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('connect unexpectedly succeeded');
}

describe('user + password', () => {
  it('connects with the right password; a wrong one is auth_error in the server words', async () => {
    const s = await startServer({ extraConfig: userPassConfig('alice', 's3cret-pw') });
    const { saved, tested, connected } = await saveTestConnect({
      name: 'userpass',
      servers: [s.url],
      auth: { kind: 'userpass', user: 'alice', password: 's3cret-pw' },
    });
    expect(saved.auth).toEqual({ kind: 'userpass', user: 'alice', hasSecret: true, credsFile: undefined });
    expect(tested).toMatchObject({ ok: true, jetstream: true, version: '2.9.10' });
    expect(connected.state).toBe('connected');

    const bad = await t.call('connections.save', {
      name: 'userpass wrong',
      servers: [s.url],
      auth: { kind: 'userpass', user: 'alice', password: 'nope' },
    });
    const testedBad = await t.call('connections.test', { id: bad.id });
    expect(testedBad.ok).toBe(false);
    expect(testedBad.error?.code).toBe('auth_error');
    const err = await expectConnectError(bad.id);
    expect(err.code).toBe('auth_error');
    const status: ConnectionStatus = await t.call('connections.status');
    expect(status).toMatchObject({ state: 'error', errorCode: 'auth_error', profileId: bad.id });
    expect(status.reason).toMatch(/Authorization Violation/i);
  });

  it('tests an edited form with the stored password when the field is left blank', async () => {
    const s = await startServer({ jetstream: false, extraConfig: userPassConfig('bob', 'pw-kept') });
    t = makeTestCore();
    const saved = await t.call('connections.save', {
      name: 'bob',
      servers: [s.url],
      auth: { kind: 'userpass', user: 'bob', password: 'pw-kept' },
    });
    const res = await t.call('connections.test', {
      id: saved.id,
      name: 'bob',
      servers: [s.url],
      auth: { kind: 'userpass', user: 'bob' },
    });
    expect(res).toMatchObject({ ok: true, jetstream: false });
  });
});

describe('token', () => {
  it('connects with the token and is refused without it', async () => {
    const s = await startServer({ jetstream: false, extraConfig: tokenConfig('tok-123') });
    const { tested, connected } = await saveTestConnect({
      name: 'token',
      servers: [s.url],
      auth: { kind: 'token', token: 'tok-123' },
    });
    expect(tested.ok).toBe(true);
    expect(connected.state).toBe('connected');
    const res = await t.call('connections.test', {
      name: 'no token',
      servers: [s.url],
      auth: { kind: 'token', token: 'wrong' },
    });
    expect(res.error?.code).toBe('auth_error');
  });
});

describe('nkey', () => {
  it('connects with a user seed the server lists; an unknown seed is auth_error', async () => {
    const user = newNKeyUser();
    const s = await startServer({ jetstream: false, extraConfig: nkeyConfig([user.publicKey]) });
    const { saved, tested, connected } = await saveTestConnect({
      name: 'nkey',
      servers: [s.url],
      auth: { kind: 'nkey', seed: user.seed },
    });
    expect(saved.auth.hasSecret).toBe(true);
    expect(tested.ok).toBe(true);
    expect(connected.state).toBe('connected');
    const other = newNKeyUser();
    const res = await t.call('connections.test', {
      name: 'other',
      servers: [s.url],
      auth: { kind: 'nkey', seed: other.seed },
    });
    expect(res.error?.code).toBe('auth_error');
  });

  it('rejects a seed that is not a user seed with a clear message', async () => {
    t = makeTestCore();
    const res = await t.call('connections.test', {
      name: 'bad seed',
      servers: ['nats://127.0.0.1:1'],
      auth: { kind: 'nkey', seed: 'SAxxxx' },
    });
    expect(res.error).toEqual({ code: 'invalid_input', message: 'an NKey user seed starts with SU' });
  });
});

describe('creds (JWT, operator mode)', () => {
  it('connects with a creds file and with pasted creds; a user of an unknown account is refused', async () => {
    const op = makeOperatorSetup();
    const s = await startServer({ jetstream: false, extraConfig: op.config });
    const credsFile = join(tmp, 'user.creds');
    writeFileSync(credsFile, op.creds, { mode: 0o600 });
    const { saved, tested, connected } = await saveTestConnect({
      name: 'creds file',
      servers: [s.url],
      auth: { kind: 'creds', credsFile },
    });
    expect(saved.auth).toMatchObject({ kind: 'creds', credsFile, hasSecret: false });
    expect(tested.ok).toBe(true);
    expect(connected.state).toBe('connected');

    const pasted = await t.call('connections.test', {
      name: 'pasted',
      servers: [s.url],
      auth: { kind: 'creds', creds: op.creds },
    });
    expect(pasted.ok).toBe(true);
    const foreign = await t.call('connections.test', {
      name: 'foreign',
      servers: [s.url],
      auth: { kind: 'creds', creds: op.foreignCreds },
    });
    expect(foreign.error).toEqual({ code: 'auth_error', message: 'Authorization Violation' });
    const missing = await t.call('connections.test', {
      name: 'missing',
      servers: [s.url],
      auth: { kind: 'creds', credsFile: join(tmp, 'nope.creds') },
    });
    expect(missing.error?.code).toBe('invalid_input');
    expect(missing.error?.message).toMatch(/cannot read creds file/);
  });
});

describe('TLS', () => {
  let files: TlsFiles;
  beforeAll(async () => {
    files = await makeTlsFiles(join(tmp, 'tls'));
  });

  it('connects when the generated CA is trusted; without it verification fails with tls_error', async () => {
    const s = await startServer({ jetstream: false, extraConfig: tlsConfig(files) });
    const { tested, connected } = await saveTestConnect({
      name: 'tls',
      servers: [`tls://127.0.0.1:${s.port}`],
      tls: { enabled: true, caFile: files.caFile },
    });
    expect(tested.ok).toBe(true);
    expect(connected.state).toBe('connected');

    const untrusted = await t.call('connections.save', {
      name: 'tls untrusted',
      servers: [s.url],
      tls: { enabled: true },
    });
    const res = await t.call('connections.test', { id: untrusted.id });
    expect(res.ok).toBe(false);
    expect(res.error?.code).toBe('tls_error');
    expect(res.error?.message).toMatch(/unable to verify/);
    const err = await expectConnectError(untrusted.id);
    expect(err.code).toBe('tls_error');
    expect((await t.call('connections.status')).errorCode).toBe('tls_error');
  });

  it('presents a client certificate when the server verifies clients', async () => {
    const s = await startServer({ jetstream: false, extraConfig: tlsConfig(files, { verify: true }) });
    t = makeTestCore();
    const withCert = await t.call('connections.test', {
      name: 'mtls',
      servers: [s.url],
      tls: {
        enabled: true,
        caFile: files.caFile,
        certFile: files.clientCertFile,
        keyFile: files.clientKeyFile,
      },
    });
    expect(withCert.ok).toBe(true);
    const withoutCert = await t.call('connections.test', {
      name: 'no cert',
      servers: [s.url],
      tls: { enabled: true, caFile: files.caFile },
    });
    // The server's alert usually arrives ("bad certificate"); under load a reset can beat it.
    expect(withoutCert.error?.code, JSON.stringify(withoutCert.error)).toBe('tls_error');
    expect(withoutCert.error?.message).toMatch(/bad certificate|client certificate required/);
  });
});

describe('secrets at rest', () => {
  it('keeps secrets out of profiles.json and connections.list; secrets.json is 0600 and encrypted', async () => {
    t = makeTestCore();
    const secrets = ['pw-NEVER-SHOWN', 'tok-NEVER-SHOWN', newNKeyUser().seed];
    await t.call('connections.save', {
      name: 'a',
      servers: ['nats://127.0.0.1:1'],
      auth: { kind: 'userpass', user: 'u', password: secrets[0] },
    });
    await t.call('connections.save', {
      name: 'b',
      servers: ['nats://127.0.0.1:1'],
      auth: { kind: 'token', token: secrets[1] },
    });
    await t.call('connections.save', {
      name: 'c',
      servers: ['nats://127.0.0.1:1'],
      auth: { kind: 'none' },
      system: { auth: { kind: 'nkey', seed: secrets[2] } },
    });
    const list = await t.call('connections.list');
    const listed = JSON.stringify(list);
    const profilesJson = readFileSync(join(t.dataDir, 'profiles.json'), 'utf8');
    const secretsJson = readFileSync(join(t.dataDir, 'secrets.json'), 'utf8');
    for (const s of secrets) {
      expect(listed).not.toContain(s);
      expect(profilesJson).not.toContain(s);
      expect(secretsJson).not.toContain(s);
    }
    expect(list.profiles.map((p) => p.auth.hasSecret)).toEqual([true, true, false]);
    expect(list.profiles[2].system?.auth.hasSecret).toBe(true);
    expect(statSync(join(t.dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(t.dataDir, 'profiles.json')).mode & 0o777).toBe(0o600);
    // A saved secret decrypts back for connecting.
    expect(t.core.profiles.resolve(list.profiles[1].id).auth).toEqual({ kind: 'token', token: secrets[1] });
  });
});
