import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** A `jetdeck …` child process (serve or worker) with its output kept for errors. */
export class JetdeckProcess {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-bench-'));
  readonly token = randomBytes(16).toString('hex');
  output = '';
  url = '';
  private proc?: ChildProcess;

  constructor(private readonly args: string[]) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Starts it and waits until a line matches `ready` (serve: its URL). */
  async start(ready: RegExp, timeoutMs = 90_000): Promise<void> {
    const args =
      this.args[0] === 'serve'
        ? [...this.args, '--data-dir', this.dataDir, '--token', this.token]
        : this.args;
    // BENCH_SERVE_NODE_ARGS: node flags for serve only, to profile it (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
    const nodeArgs =
      args[0] === 'serve' ? (process.env.BENCH_SERVE_NODE_ARGS?.split(' ').filter(Boolean) ?? []) : [];
    const proc = spawn(process.execPath, [...nodeArgs, 'bin/jetdeck.mjs', ...args], {
      cwd: ROOT,
      env: { ...process.env, JETDECK_TOKEN: undefined, JETDECK_NATS_URL: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    const logTo = args[0] === 'serve' ? process.env.BENCH_SERVE_LOG : undefined;
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no ${ready} from jetdeck ${args[0]}:\n${this.output}`)),
        timeoutMs,
      );
      const onData = (b: Buffer) => {
        if (logTo) appendFileSync(logTo, b);
        this.output = (this.output + b.toString()).slice(-20_000);
        const url = /JetDeck serving (\S+)/.exec(this.output);
        if (url) this.url = new URL(url[1]).origin;
        if (ready.test(this.output)) {
          clearTimeout(timer);
          ok();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`jetdeck ${args[0]} exited with ${code}:\n${this.output}`));
      });
    });
  }

  /** Resident set size in bytes (Linux /proc), 0 when unknown. */
  rss(): number {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  async api<T>(path: string): Promise<T> {
    const r = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      await new Promise<void>((done) => {
        const force = setTimeout(() => p.kill('SIGKILL'), 15_000);
        p.once('exit', () => {
          clearTimeout(force);
          done();
        });
        p.kill('SIGTERM');
      });
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** CPU seconds (user + system, all threads) a process has used so far (Linux /proc), 0 when unknown. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** The folders bin/jetdeck.mjs compares with out/main/cli.js to choose the build over the sources. */
const CLI_SOURCES = ['api', 'core', 'worker', 'nats'];

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Builds the CLI (`npm run build`) unless out/ is current, so `jetdeck` runs as shipped: from the
 * JavaScript build, not through the TypeScript loader, which adds ~90 MB and its own threads.
 */
export function ensureCliBuilt(): void {
  const cli = join(ROOT, 'out', 'main', 'cli.js');
  const builtAt = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  if (builtAt && CLI_SOURCES.every((d) => newestMtime(join(ROOT, d)) <= builtAt)) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('npm run build failed');
}
