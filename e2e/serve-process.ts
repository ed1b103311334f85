import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
// Generous: serve compiles TypeScript through tsx on start, slow on a loaded CI machine.
const READY_TIMEOUT_MS = 60_000;

export interface ServeOptions {
  /** NATS URL for --nats; leave out to use the embedded local nats-server. */
  nats?: string;
}

/** One `jetdeck serve` process with its own free port, temp data dir and random token. */
export class ServeProcess {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-e2e-'));
  readonly token = randomBytes(16).toString('hex');
  url = '';
  output = '';
  /** The NATS server serve was started against (absent for the embedded one); specs seed it with nats.js. */
  natsUrl?: string;
  private proc?: ChildProcess;

  async start(opts: ServeOptions = {}): Promise<this> {
    this.natsUrl = opts.nats;
    const args = [
      'bin/jetdeck.mjs',
      'serve',
      // Port 0: serve binds any free port itself and prints it, so no other process can take it
      // between picking and binding.
      '--port',
      '0',
      '--data-dir',
      this.dataDir,
      '--token',
      this.token,
      '--no-open',
    ];
    if (opts.nats) args.push('--nats', opts.nats);
    // Lets a spec run against a UI built elsewhere (default: out/renderer from `npm run build`).
    if (process.env.JETDECK_E2E_UI_DIR) args.push('--ui-dir', process.env.JETDECK_E2E_UI_DIR);
    const proc = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, JETDECK_TOKEN: undefined, JETDECK_NATS_URL: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    try {
      this.url = await this.waitForUrl(proc);
    } catch (err) {
      // The fixture never reaches its teardown when start fails: clean up here.
      await this.dispose();
      throw err;
    }
    return this;
  }

  private waitForUrl(proc: ChildProcess): Promise<string> {
    return new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`jetdeck serve did not start:\n${this.output}`)),
        READY_TIMEOUT_MS,
      );
      const onData = (b: Buffer) => {
        this.output += b.toString();
        const m = /JetDeck serving (\S+)/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]);
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`jetdeck serve exited with ${code}:\n${this.output}`));
      });
    });
  }

  async dispose(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      await new Promise<void>((done) => {
        const force = setTimeout(() => p.kill('SIGKILL'), 10_000);
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
