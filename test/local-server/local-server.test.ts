import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalServerStatus } from '../../api/features/connections';
import { ApiError } from '../../api/errors';
import { EventBus } from '../../core/events';
import { findNatsServer, installHint } from '../../core/local-server/binary';
import { LocalServer } from '../../core/local-server/local-server';
import { makeTestCore } from '../harness/core';
import { pollUntil } from '../harness/poll';

const root = mkdtempSync(join(tmpdir(), 'jetdeck-local-'));
const realBinary = execFileSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).trim();
const savedEnv = { PATH: process.env.PATH, JETDECK_NATS_SERVER: process.env.JETDECK_NATS_SERVER };
let servers: LocalServer[] = [];
let n = 0;

function makeServer(opts: { dir?: string; configuredBinary?: string } = {}) {
  const bus = new EventBus();
  const statuses: LocalServerStatus[] = [];
  const logLines: string[] = [];
  bus.on('localServer.status', (s) => statuses.push(s));
  bus.on('localServer.log', (e) => logLines.push(...e.lines));
  const server = new LocalServer(bus, {
    dir: opts.dir ?? join(root, `s${++n}`),
    configuredBinary: opts.configuredBinary,
    resourceRoots: [],
  });
  servers.push(server);
  return { server, statuses, logLines };
}

/** Polls until `fn` returns a truthy value (the harness's pollUntil). */
const until = <T>(what: string, fn: () => T | undefined | false, timeoutMs = 10_000) =>
  pollUntil(fn, { what, timeoutMs }) as Promise<T>;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An unreaped zombie still answers signal 0; it is dead all the same.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

beforeEach(() => {
  delete process.env.JETDECK_NATS_SERVER;
});
afterEach(async () => {
  process.env.PATH = savedEnv.PATH;
  if (savedEnv.JETDECK_NATS_SERVER === undefined) delete process.env.JETDECK_NATS_SERVER;
  else process.env.JETDECK_NATS_SERVER = savedEnv.JETDECK_NATS_SERVER;
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('LocalServer lifecycle', () => {
  it('starts nats-server -js on free loopback ports, with JetStream, monitoring and a captured log', async () => {
    const { server, statuses, logLines } = makeServer();
    expect(server.status().state).toBe('stopped');
    const [a, b] = await Promise.all([server.start(), server.start()]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ state: 'running', binary: realBinary, version: '2.9.10' });
    expect(a.clientUrl).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(a.clientUrl).not.toMatch(/:4222$/);
    expect(statuses.map((s) => s.state)).toEqual(['starting', 'running']);
    expect(await server.start()).toMatchObject({ state: 'running', pid: a.pid });

    const health = await fetch(`${a.monitorUrl}/healthz`);
    expect(health.status).toBe(200);
    const nc = await connect({ servers: a.clientUrl });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.getAccountInfo()).streams).toBe(0);
    await nc.close();

    expect(server.log().some((l) => l.includes('Server is ready'))).toBe(true);
    expect(server.log(2)).toHaveLength(2);
    await until('log event', () => logLines.some((l) => l.includes('Server is ready')));
    expect(logLines.some((l) => l.includes('Starting JetStream'))).toBe(true);
  });

  it('keeps data and ports across stop/start', async () => {
    const { server, statuses } = makeServer();
    const first = await server.start();
    let nc = await connect({ servers: first.clientUrl });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'KEEP', subjects: ['keep.>'] });
    await nc.publish('keep.one', 'hello');
    await nc.flush();
    await nc.close();

    const stopped = await server.stop();
    expect(stopped).toMatchObject({ state: 'stopped', clientUrl: undefined, pid: undefined });
    expect(isAlive(first.pid!)).toBe(false);
    expect(statuses.at(-1)?.state).toBe('stopped');

    const second = await server.start();
    expect(second.clientUrl).toBe(first.clientUrl);
    expect(second.monitorUrl).toBe(first.monitorUrl);
    nc = await connect({ servers: second.clientUrl });
    const info = await (await jetstreamManager(nc)).streams.info('KEEP');
    expect(info.state.messages).toBe(1);
    await nc.close();
  });

  it('takes another port when last time port is busy', async () => {
    const dir = join(root, 'busy');
    const { server } = makeServer({ dir });
    const first = await server.start();
    await server.stop();
    const port = Number(new URL(first.clientUrl!.replace('nats:', 'http:')).port);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).port).toBe(port);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const second = await server.start();
      expect(second.state).toBe('running');
      expect(second.clientUrl).not.toBe(first.clientUrl);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('reports a crash as an error in one sentence (the log kept apart), and starts again', async () => {
    const { server, statuses } = makeServer();
    const st = await server.start();
    process.kill(st.pid!, 'SIGKILL');
    const crashed = await until('error state', () => statuses.find((s) => s.state === 'error'));
    expect(crashed.error).toBe('nats-server exited unexpectedly (signal SIGKILL); its log says why.');
    expect(server.log().join('\n')).toMatch(/Server is ready/);
    expect(server.status().state).toBe('error');
    expect((await server.start()).state).toBe('running');
  });

  it('reports a clean stop from outside as stopped, not as a crash', async () => {
    const { server, statuses } = makeServer();
    const st = await server.start();
    process.kill(st.pid!, 'SIGINT');
    const stopped = await until('stopped state', () =>
      statuses.find((s) => s.state === 'stopped' && s.error),
    );
    expect(stopped.error).toMatch(/^nats-server was stopped outside JetDeck and shut down cleanly \(/);
    expect(statuses.some((s) => s.state === 'error')).toBe(false);
    expect((await server.start()).state).toBe('running');
  });

  it('reports state missing with an install hint when no binary exists', async () => {
    process.env.JETDECK_NATS_SERVER = join(root, 'no-such-nats-server');
    process.env.PATH = '';
    const { server, statuses } = makeServer();
    const st = await server.start();
    expect(st.state).toBe('missing');
    expect(statuses.map((s) => s.state)).toEqual(['missing']);
    expect(st.error).toMatch(/JETDECK_NATS_SERVER \(.*no-such-nats-server\) is not an executable file/);
    expect(st.installHint?.steps.join('\n')).toContain('JETDECK_NATS_SERVER=/path/to/nats-server');
    expect(st.installHint).toEqual(installHint(process.platform));
    expect(installHint('linux').steps[0]).toContain('sudo apt-get install nats-server');
    expect(installHint('darwin').steps[0]).toBe('brew install nats-server');
    expect(installHint('win32').steps[0]).toBe('winget install nats-io.nats-server');
    // Once a binary appears, status() notices without a restart of the app.
    process.env.PATH = savedEnv.PATH;
    delete process.env.JETDECK_NATS_SERVER;
    expect(server.status().state).toBe('stopped');
  });

  it('connecting to the embedded profile without a binary is an ApiError carrying the hint', async () => {
    const t = makeTestCore();
    try {
      process.env.JETDECK_NATS_SERVER = join(root, 'no-such-nats-server');
      process.env.PATH = '';
      const err = await t.call('connections.connect', { id: 'local' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('unreachable');
      expect((err as ApiError).message).toMatch(/No nats-server binary found/);
      expect((err as ApiError).detail).toMatchObject({ os: expect.any(String), steps: expect.any(Array) });
      expect((await t.call('localServer.status')).state).toBe('missing');
    } finally {
      process.env.PATH = savedEnv.PATH;
      await t.dispose();
    }
  });

  /** Runs a separate Node process that starts a LocalServer on `dir`, then ends by `ending`. */
  async function runJetDeckProcess(
    dir: string,
    ending: string,
  ): Promise<{ end: number | string | null; st: LocalServerStatus }> {
    const script = [
      `import { EventBus } from ${JSON.stringify(join(process.cwd(), 'core/events.ts'))};`,
      `import { LocalServer } from ${JSON.stringify(join(process.cwd(), 'core/local-server/local-server.ts'))};`,
      `const s = new LocalServer(new EventBus(), { dir: ${JSON.stringify(dir)} });`,
      'const st = await s.start();',
      'console.log(JSON.stringify(st));',
      ending,
    ].join('\n');
    const scriptFile = `${dir}.mts`;
    writeFileSync(scriptFile, script);
    const { out, end } = await new Promise<{ out: string; end: number | string | null }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', scriptFile], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let buf = '';
      p.stdout.on('data', (b: Buffer) => (buf += b.toString()));
      p.once('exit', (code, signal) => resolve({ out: buf, end: signal ?? code }));
    });
    return { end, st: JSON.parse(out.trim().split('\n').at(-1)!) as LocalServerStatus };
  }

  it.each([
    ['process.exit', 'process.exit(0);', 0],
    ['SIGTERM', "process.kill(process.pid, 'SIGTERM'); setInterval(() => {}, 1000);", 'SIGTERM'],
  ] as const)('kills its nats-server when the Node process ends by %s', async (_how, ending, expectedEnd) => {
    const { end, st } = await runJetDeckProcess(join(root, `orphan-${String(expectedEnd)}`), ending);
    // The signal still terminates the process as it would without JetDeck's handler.
    expect(end).toBe(expectedEnd);
    expect(st.state).toBe('running');
    try {
      await until('nats-server to die', () => !isAlive(st.pid!));
    } finally {
      if (isAlive(st.pid!)) process.kill(st.pid!, 'SIGKILL');
    }
  });

  it('stops the nats-server a JetDeck killed with SIGKILL left behind before starting its own on that store', async () => {
    const dir = join(root, 'orphan-SIGKILL');
    const { end, st } = await runJetDeckProcess(dir, "process.kill(process.pid, 'SIGKILL');");
    expect(end).toBe('SIGKILL');
    const orphan = st.pid!;
    try {
      // Nothing can run on a SIGKILL: the server outlives the process that started it.
      expect(isAlive(orphan)).toBe(true);
      const { server, logLines } = makeServer({ dir });
      const next = await server.start();
      expect(next.state).toBe('running');
      expect(isAlive(orphan)).toBe(false);
      expect(next.pid).not.toBe(orphan);
      // The orphan held last time's port; stopped first, the port is reused.
      expect(next.clientUrl).toBe(st.clientUrl);
      await until('the orphan note in the log', () =>
        logLines.find((l) => l.includes(`pid ${orphan}, left running by an earlier JetDeck`)),
      );
    } finally {
      if (isAlive(orphan)) process.kill(orphan, 'SIGKILL');
    }
  });

  it('leaves a process alone whose pid was saved but that is not its nats-server', async () => {
    const dir = join(root, 'pid-reused');
    mkdirSync(dir, { recursive: true });
    const bystander = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, 'state.json'), JSON.stringify({ pid: bystander.pid }));
      const { server } = makeServer({ dir });
      expect((await server.start()).state).toBe('running');
      expect(isAlive(bystander.pid!)).toBe(true);
    } finally {
      bystander.kill('SIGKILL');
    }
  });
});

describe('nats-server binary lookup', () => {
  const fake = (dir: string) => {
    mkdirSync(dir, { recursive: true });
    const p = join(dir, 'nats-server');
    writeFileSync(p, '#!/bin/sh\necho "nats-server: v9.9.9"\n');
    chmodSync(p, 0o755);
    return p;
  };

  it('prefers JETDECK_NATS_SERVER, then the configured path, then resources/bin, then PATH', () => {
    const envBin = fake(join(root, 'lookup', 'env'));
    const confBin = fake(join(root, 'lookup', 'conf'));
    const resBin = fake(join(root, 'lookup', 'res', 'bin'));
    const pathBin = fake(join(root, 'lookup', 'path'));
    const resourceRoots = [join(root, 'lookup', 'res')];
    const env = { PATH: join(root, 'lookup', 'path') };
    const look = (e: NodeJS.ProcessEnv, configured?: string) =>
      findNatsServer({ env: e, configured, resourceRoots, platform: 'linux' }).found;
    expect(look({ ...env, JETDECK_NATS_SERVER: envBin }, confBin)).toEqual({ path: envBin, source: 'env' });
    expect(look(env, confBin)).toEqual({ path: confBin, source: 'configured' });
    expect(look(env)).toEqual({ path: resBin, source: 'resources' });
    expect(findNatsServer({ env, resourceRoots: [], platform: 'linux' }).found).toEqual({
      path: pathBin,
      source: 'path',
    });
    const res = findNatsServer({
      env: { PATH: '', JETDECK_NATS_SERVER: join(root, 'x') },
      resourceRoots: [],
      platform: 'linux',
    });
    expect(res.found).toBeUndefined();
    expect(res.rejected).toHaveLength(1);
  });

  it('uses the configured binary and reads its version', async () => {
    const { server } = makeServer({ configuredBinary: realBinary });
    process.env.PATH = '';
    const st = await server.start();
    expect(st).toMatchObject({ state: 'running', binary: realBinary, version: '2.9.10' });
  });
});
