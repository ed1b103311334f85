import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { profileInputSchema } from '../../api/features/connections';
import { NatsFlagError, parseDuration, resolveNatsTarget, type NatsFlags } from '../../nats/cli-target';
import { newNKeyUser, userPassConfig } from '../harness/auth-config';
import { startServer, stopAll } from '../harness/nats-server';
import { StatusCollector, makeTask, publishTask } from '../workers/helpers';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'jetdeck.mjs');

let root: string;
let ctxDir: string;
const procs = new Set<ChildProcess>();

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'jetdeck-natscli-'));
  ctxDir = join(root, 'nats', 'context');
  mkdirSync(ctxDir, { recursive: true });
});
afterEach(async () => {
  for (const p of procs) {
    if (p.exitCode !== null || p.signalCode !== null) continue;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }
  procs.clear();
  rmSync(root, { recursive: true, force: true });
});
afterAll(stopAll);

const writeCtx = (name: string, body: unknown) =>
  writeFileSync(join(ctxDir, `${name}.json`), JSON.stringify(body));
const select = (name: string) => writeFileSync(join(root, 'nats', 'context.txt'), name);
/** Resolution with a private environment and context folder (never the user's own). */
const res = (flags: NatsFlags, env: Record<string, string> = {}, implicit = false) =>
  resolveNatsTarget(flags, { env, contextDir: ctxDir, implicit });

describe('nats CLI conventions: resolution', () => {
  it('takes each setting from its flag, else the environment, else the context (as nats does)', () => {
    writeCtx('prod', {
      url: 'nats://ctx-host:4222',
      user: 'ctx-user',
      password: 'ctx-pass',
      jetstream_domain: 'hub',
      inbox_prefix: '_I.prod',
    });
    select('prod');
    // The selected context fills everything when a connection flag asks for NATS.
    expect(res({ jsDomain: 'leaf' })).toMatchObject({
      servers: ['nats://ctx-host:4222'],
      serverFrom: 'context',
      auth: { kind: 'userpass', user: 'ctx-user', password: 'ctx-pass' },
      jsDomain: 'leaf',
      inboxPrefix: '_I.prod',
      contextName: 'prod',
    });
    // Environment over context, flag over environment.
    const env = { NATS_URL: 'nats://env-host:4222', NATS_USER: 'env-user', NATS_TIMEOUT: '2s' };
    expect(res({}, env)).toMatchObject({
      servers: ['nats://env-host:4222'],
      serverFrom: 'env',
      auth: { kind: 'userpass', user: 'env-user', password: 'ctx-pass' },
      timeoutMs: 2000,
    });
    expect(res({ server: 'nats://a:1,nats://b:2', user: 'flag-user', timeout: '1m30s' }, env)).toMatchObject({
      servers: ['nats://a:1', 'nats://b:2'],
      serverFrom: 'flag',
      auth: { user: 'flag-user' },
      timeoutMs: 90_000,
    });
    // --nats is the older spelling of --server; --no-context ignores the selected context.
    expect(res({ nats: 'nats://old:4222', useContext: false })).toEqual({
      servers: ['nats://old:4222'],
      serverFrom: 'flag',
      auth: { kind: 'none' },
    });
  });

  it('serve keeps its own default when nothing asks for NATS; a worker falls back like nats', () => {
    writeCtx('dev', { url: 'nats://dev:4222' });
    select('dev');
    expect(res({})).toBeUndefined();
    expect(res({}, {}, true)).toMatchObject({ servers: ['nats://dev:4222'], contextName: 'dev' });
    expect(res({ useContext: false }, {}, true)).toMatchObject({
      servers: ['nats://127.0.0.1:4222'],
      serverFrom: 'default',
    });
    // NATS_CONTEXT picks one that is not selected.
    writeCtx('other', { url: 'nats://other:4222' });
    expect(res({}, { NATS_CONTEXT: 'other' })).toMatchObject({ servers: ['nats://other:4222'] });
    expect(res({ context: 'dev' }, { NATS_CONTEXT: 'other' })).toMatchObject({
      servers: ['nats://dev:4222'],
    });
  });

  it('auth in natscontext order: user, creds, nkey, user_jwt + user_seed, token; paths expanded', () => {
    const nk = newNKeyUser();
    const seedFile = join(root, 'user.nk');
    writeFileSync(seedFile, `${nk.seed}\n`);
    writeCtx('jwt', { url: 'nats://h:4222', user_jwt: 'eyJ.jwt', user_seed: nk.seed, token: 'ignored' });
    const jwt = res({ context: 'jwt' });
    expect(jwt?.auth.kind).toBe('creds');
    if (jwt?.auth.kind === 'creds') {
      expect(jwt.auth.creds).toContain('-----BEGIN NATS USER JWT-----\neyJ.jwt\n');
      expect(jwt.auth.creds).toContain(nk.seed);
    }
    writeCtx('nkey', { url: 'nats://h:4222', nkey: '$SEEDS/user.nk', creds: '~/x.creds' });
    // creds wins over nkey; the context's ~ and $VAR are expanded.
    expect(res({ context: 'nkey' }, { SEEDS: root })?.auth).toMatchObject({ kind: 'creds' });
    expect(res({ context: 'nkey', creds: '' }, { SEEDS: root })?.auth).toMatchObject({
      credsFile: expect.stringMatching(/x\.creds$/),
    });
    writeCtx('nk', { url: 'nats://h:4222', nkey: '$SEEDS/user.nk' });
    expect(res({ context: 'nk' }, { SEEDS: root })?.auth).toEqual({ kind: 'nkey', seed: nk.seed });
    expect(res({ server: 'nats://h:1' }, { NATS_TOKEN: 's3cret' })?.auth).toEqual({
      kind: 'token',
      token: 's3cret',
    });
    // A relative --creds is resolved against the working directory.
    expect(res({ server: 'nats://h:1', creds: 'my.creds' })?.auth).toEqual({
      kind: 'creds',
      credsFile: resolve('my.creds'),
    });
  });

  it('TLS, system account and monitoring URLs', () => {
    writeCtx('sys', { url: 'nats://h:4222', creds: join(root, 'sys.creds') });
    writeCtx('tls', { url: 'tls://h:4222', cert: '/c.pem', key: '/k.pem', ca: '/ca.pem', tls_first: true });
    expect(res({ context: 'tls' })?.tls).toEqual({
      enabled: true,
      caFile: '/ca.pem',
      certFile: '/c.pem',
      keyFile: '/k.pem',
      handshakeFirst: true,
    });
    expect(
      res({
        server: 'nats://h:1',
        systemContext: 'sys',
        monitorUrl: ['http://a:8222/', 'http://b:8222'],
      }),
    ).toMatchObject({
      system: { auth: { kind: 'creds', credsFile: join(root, 'sys.creds') } },
      monitorUrls: ['http://a:8222', 'http://b:8222'],
    });
    expect(res({ server: 'nats://h:1' }, { JETDECK_SYSTEM_CREDS: '/s.creds' })?.system).toEqual({
      auth: { kind: 'creds', credsFile: '/s.creds' },
    });
  });

  it('refuses bad input with the flag or variable that carried it', () => {
    const bad = (flags: NatsFlags, env: Record<string, string>, msg: RegExp) => {
      expect(() => res(flags, env)).toThrow(NatsFlagError);
      expect(() => res(flags, env)).toThrow(msg);
    };
    bad({ server: 'ws://h:8080' }, {}, /--server: ws:\/\/ and wss:\/\/ .*not supported.*nats:\/\//);
    bad({}, { NATS_URL: 'not a url' }, /NATS_URL: expected a server URL/);
    bad({ context: 'nope' }, {}, /unknown context "nope"/);
    bad({ context: '../../etc/passwd' }, {}, /invalid context name/);
    bad({ server: 'nats://h:1', tlscert: '/c.pem' }, {}, /both --tlscert and --tlskey/);
    bad({ server: 'nats://h:1', timeout: 'soon' }, {}, /--timeout "soon"/);
    bad({ server: 'nats://h:1', jsDomain: 'a b' }, {}, /--js-domain/);
    bad({ server: 'nats://h:1', monitorUrl: ['nats://h:8222'] }, {}, /http:\/\/ or https:\/\//);
    bad({ context: 'x', useContext: false }, {}, /--context and --no-context/);
    writeCtx('halfjwt', { user_jwt: 'eyJ.jwt' });
    bad({ context: 'halfjwt' }, {}, /user_jwt without user_seed/);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('3')).toBe(3000);
  });

  it('the profile schema refuses ws:// and wss:// with the reason', () => {
    const r = profileInputSchema.safeParse({ name: 'ws', servers: ['wss://demo.nats.io:8443'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/WebSocket\) are not supported.*nats:\/\/ or tls:\/\//);
    expect(profileInputSchema.safeParse({ name: 'ok', servers: ['tls://demo.nats.io:4443'] }).success).toBe(
      true,
    );
  });
});

/** Spawns the real CLI with a private config folder and no NATS_* from the test's own environment. */
function cli(args: string[], env: Record<string, string>): { proc: ChildProcess; output: () => string } {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('NATS_') && !['JETDECK_TOKEN', 'JETDECK_NATS_URL', 'JETDECK_PORT'].includes(k),
    ),
  );
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...clean, XDG_CONFIG_HOME: root, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.add(proc);
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  return { proc, output: () => out };
}

async function waitForOutput(
  c: { proc: ChildProcess; output: () => string },
  re: RegExp,
): Promise<RegExpExecArray> {
  return new Promise((resolvePromise, reject) => {
    const check = () => {
      const m = re.exec(c.output());
      if (m) {
        c.proc.stdout?.off('data', check);
        c.proc.stderr?.off('data', check);
        resolvePromise(m);
      }
    };
    c.proc.stdout?.on('data', check);
    c.proc.stderr?.on('data', check);
    c.proc.once('exit', (code) => reject(new Error(`exited with ${code} before ${re}:\n${c.output()}`)));
    check();
  });
}

describe('nats CLI conventions: serve and worker', () => {
  it('jetdeck worker connects with NATS_URL alone and with the selected context (user + password)', async () => {
    const server = await startServer({ extraConfig: userPassConfig('alice', 'wonder') });
    const nc = await connect({ servers: server.url, user: 'alice', pass: 'wonder' });
    const events = new StatusCollector(nc);
    try {
      const a = cli(['worker', '--name', 'env-w', '--summary-every', '0'], {
        NATS_URL: server.url,
        NATS_USER: 'alice',
        NATS_PASSWORD: 'wonder',
      });
      await waitForOutput(a, /worker env-w: running/);
      const t1 = makeTask('echo', { n: 1 });
      await publishTask(jetstream(nc), t1);
      await events.waitFor((e) =>
        e.some((x) => x.id === t1.id && x.status === 'completed' && x.worker === 'env-w'),
      );
      a.proc.kill('SIGKILL');

      writeCtx('local', { url: server.url, user: 'alice', password: 'wonder' });
      select('local');
      const b = cli(['worker', '--name', 'ctx-w', '--summary-every', '0'], {});
      await waitForOutput(b, /worker ctx-w: running/);
      const t2 = makeTask('echo', { n: 2 });
      await publishTask(jetstream(nc), t2);
      await events.waitFor((e) =>
        e.some((x) => x.id === t2.id && x.status === 'completed' && x.worker === 'ctx-w'),
      );
    } finally {
      await nc.close();
    }
  });

  it('jetdeck worker --js-domain talks to JetStream through $JS.<domain>.API', async () => {
    const store = join(root, 'js');
    const server = await startServer({
      jetstream: false,
      extraConfig: `jetstream { store_dir: "${store}", domain: hub }`,
    });
    const nc = await connect({ servers: server.url });
    const events = new StatusCollector(nc);
    try {
      // A domain nobody serves: the worker cannot reach JetStream and says so.
      const wrong = cli(['worker', '-s', server.url, '--js-domain', 'elsewhere', '--timeout', '1s'], {});
      expect(await new Promise((r) => wrong.proc.once('exit', r))).toBe(1);
      const w = cli(
        ['worker', '-s', server.url, '--js-domain', 'hub', '--name', 'dom-w', '--summary-every', '0'],
        {},
      );
      await waitForOutput(w, /worker dom-w: running/);
      const t = makeTask('echo', { n: 3 });
      await publishTask(jetstream(nc, { domain: 'hub' }), t);
      await events.waitFor((e) =>
        e.some((x) => x.id === t.id && x.status === 'completed' && x.worker === 'dom-w'),
      );
    } finally {
      await nc.close();
    }
  });

  it('jetdeck worker refuses a ws:// server and an unknown context before connecting (exit 2)', async () => {
    for (const [args, env, msg] of [
      [['worker', '-s', 'ws://127.0.0.1:1'], {}, /--server: ws:\/\/ and wss:\/\//],
      [['worker'], { NATS_CONTEXT: 'missing' }, /unknown context "missing"/],
    ] as const) {
      const c = cli([...args], { ...env });
      const code = await new Promise((r) => c.proc.once('exit', r));
      expect(code).toBe(2);
      expect(c.output()).toMatch(msg);
    }
  });

  it('jetdeck serve --context: connects with the context and keeps its --monitor-url in the profile', async () => {
    const server = await startServer({ extraConfig: userPassConfig('bob', 'builder') });
    writeCtx('bob', { url: server.url, user: 'bob', password: 'builder' });
    const dataDir = join(root, 'data');
    const s = cli(
      [
        'serve',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--context',
        'bob',
        '--monitor-url',
        `http://127.0.0.1:${server.httpPort}`,
        '--no-open',
      ],
      {},
    );
    const [, base, token] = await waitForOutput(
      s,
      /JetDeck serving (http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)/,
    );
    const auth = { authorization: `Bearer ${token}` };
    const health = (await (await fetch(`${base}/api/health`, { headers: auth })).json()) as {
      nats: { connected: boolean };
    };
    expect(health.nats.connected).toBe(true);
    const r = await fetch(`${base}/api/call/connections.list`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    });
    const { result } = (await r.json()) as {
      result: { profiles: { id: string; name: string; monitorUrls?: string[] }[]; activeId?: string };
    };
    const active = result.profiles.find((p) => p.id === result.activeId);
    expect(active?.name).toBe('context bob');
    expect(active?.monitorUrls).toEqual([`http://127.0.0.1:${server.httpPort}`]);
  });
});
