import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, it, onTestFinished } from 'vitest';
import { startServer, stopAll } from '../harness/nats-server';
import { pollUntil } from '../harness/poll';

/** The real `jetdeck` command and `npm start` script, spawned as a user would run them. */

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'jetdeck.mjs');
const START = join(ROOT, 'scripts', 'start.mjs');
const SERVING = /^JetDeck serving (http:\/\/127\.0\.0\.1:(\d+))\/\?token=(\S+)$/m;

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
const tempDirs: string[] = [];

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

function run(script: string, args: string[], env: Record<string, string | undefined> = {}): Run {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      JETDECK_TOKEN: undefined,
      JETDECK_PORT: undefined,
      JETDECK_DATA_DIR: undefined,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  // After the test (passed or not): SIGTERM so jetdeck stops its embedded nats-server, SIGKILL if it lingers.
  onTestFinished(async () => {
    if (!running.has(child)) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      r({ code, signal });
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitForServing(r: Run, timeoutMs = 45_000): Promise<{ base: string; token: string }> {
  let exited = false;
  void r.exited.then(() => (exited = true));
  const outcome = await pollUntil(() => SERVING.exec(r.stdout()) ?? (exited ? ('exited' as const) : null), {
    what: 'the serving line',
    timeoutMs,
    intervalMs: 50,
  }).catch((err: unknown) => (err as Error).message);
  if (typeof outcome === 'string' || !outcome)
    throw new Error(`no serving line (${outcome}).\nstdout: ${r.stdout()}\nstderr: ${r.stderr()}`);
  return { base: outcome[1]!, token: outcome[3]! };
}

/** Processes whose command line mentions `needle` (Linux /proc); used to prove the embedded server stopped. */
function processesMentioning(needle: string): number[] {
  if (!existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (Number(name) !== process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle))
        pids.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

afterAll(async () => {
  await stopAll();
  for (const d of tempDirs) {
    // Anything still running from our own temp folders (an embedded server orphaned by a SIGKILL).
    for (const pid of processesMentioning(d)) process.kill(pid, 'SIGKILL');
    rmSync(d, { recursive: true, force: true });
  }
});

describe('jetdeck CLI', () => {
  it('--help documents the commands and every serve flag', async ({ expect }) => {
    const r = run(BIN, ['--help']);
    expect((await r.exited).code).toBe(0);
    const help = r.stdout();
    for (const word of ['desktop', 'serve', 'JETDECK_DATA_DIR']) expect(help).toContain(word);
    for (const flag of [
      '-s, --server',
      '--context',
      '--creds',
      '--nats-token',
      '--tlsca',
      '--js-domain',
      '--monitor-url',
      '--system-creds',
      '--host',
      '--port',
      '--token',
      '--data-dir',
      '--workers',
      '--handlers',
      '--no-open',
      'JETDECK_TOKEN',
    ]) {
      expect(help).toContain(flag);
    }
  });

  it('serve --nats: prints the URL line, answers /api/health with Bearer, exits 0 on SIGTERM', async ({
    expect,
  }) => {
    const nats = await startServer();
    const dataDir = tempDir('jetdeck-cli-data-');
    const started = Date.now();
    // Port 0: serve binds any free port and prints it in its serving line.
    const r = run(BIN, ['serve', '--port', '0', '--nats', nats.url, '--data-dir', dataDir]);
    const { base, token } = await waitForServing(r);
    const startupMs = Date.now() - started;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url

    expect((await fetch(`${base}/api/health`)).status).toBe(401);
    const res = await fetch(`${base}/api/health`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      nats: { connected: true, server: nats.url, jetstream: true },
    });

    r.child.kill('SIGTERM');
    expect(await r.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${base}/api/health`)).rejects.toThrow();
    console.log(`jetdeck serve startup to serving line: ${startupMs} ms`);
  });

  it('serve refuses a non-loopback host without a token (exit 2, nothing written)', async ({ expect }) => {
    const dataDir = join(tempDir('jetdeck-cli-refuse-'), 'data');
    const r = run(BIN, ['serve', '--host', '0.0.0.0', '--data-dir', dataDir]);
    expect((await r.exited).code).toBe(2);
    expect(r.stderr()).toMatch(/Refusing to listen on 0\.0\.0\.0 without an explicit token/);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('npm start (scripts/start.mjs)', () => {
  it('without an Electron binary: one line saying why, then serve on the embedded nats-server', async ({
    expect,
  }) => {
    const dataDir = tempDir('jetdeck-start-data-');
    const r = run(START, [], {
      JETDECK_PORT: '0',
      JETDECK_DATA_DIR: dataDir,
      // Electron's own override: points its binary lookup at an empty folder, so this test
      // takes the fallback path even on machines where the binary was downloaded.
      ELECTRON_OVERRIDE_DIST_PATH: tempDir('jetdeck-no-electron-'),
    });
    const { base, token } = await waitForServing(r);
    const unavailable = r
      .stderr()
      .split('\n')
      .filter((l) => l.includes('Electron is unavailable'));
    expect(unavailable).toHaveLength(1);
    expect(unavailable[0]).toMatch(
      /^JetDeck: Electron is unavailable \(binary not downloaded: .+\); starting the browser UI with 'jetdeck serve' instead\.$/,
    );
    expect(r.stderr().startsWith('JetDeck: Electron is unavailable')).toBe(true);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);

    const health = (await (
      await fetch(`${base}/api/health`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      nats: { connected: boolean; server: string; jetstream: boolean };
    };
    expect(health.nats).toMatchObject({ connected: true, jetstream: true });
    // The embedded server keeps its store in the data folder.
    expect(processesMentioning(dataDir).length).toBeGreaterThan(0);

    r.child.kill('SIGTERM');
    expect((await r.exited).code).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  });
});
