import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
    const proc = spawn(process.execPath, ['bin/jetdeck.mjs', ...args], {
      cwd: ROOT,
      env: { ...process.env, JETDECK_TOKEN: undefined, JETDECK_NATS_URL: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no ${ready} from jetdeck ${args[0]}:\n${this.output}`)),
        timeoutMs,
      );
      const onData = (b: Buffer) => {
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
