import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, ratio, report, type BenchGroup } from '../lib';

/**
 * Start-up of the shipped CLI (out/main/cli.js through bin/jetdeck.mjs, built first when stale):
 * `jetdeck --help`, and `jetdeck serve` until its banner on the embedded default with a warm store
 * (its data folder already holds the nats-server store and ports from a first run). Each beside
 * a bare `node -e ''` measured in the same run, since this machine's speed drifts.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'jetdeck.mjs');
const RUNS = 9;

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

function timeSync(args: string[]): number {
  const t0 = performance.now();
  const res = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
  if (res.status !== 0) throw new Error(`node ${args.join(' ')} exited ${res.status}`);
  return performance.now() - t0;
}

/** Milliseconds from spawn to the "JetDeck serving" line; the process is stopped after. */
function timeServeBanner(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--no-open', '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no serve banner within 30 s:\n${out}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('JetDeck serving')) return;
      const ms = performance.now() - t0;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.once('exit', () => resolve(ms));
      child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  });
}

export const group: BenchGroup = {
  name: 'startup',
  description: 'jetdeck --help and serve-until-banner (embedded server, warm store), vs node -e ""',
  async run() {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    if (build.status !== 0) throw new Error('npm run build failed');
    timeSync([BIN, '--help']); // warm the file cache
    const bare: number[] = [];
    const help: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      bare.push(timeSync(['-e', '']));
      help.push(timeSync([BIN, '--help']));
    }
    const bareMs = median(bare);
    const helpMs = median(help);
    report('node_bare_ms', bareMs, 'ms');
    report('cli_help_ms', helpMs, 'ms');
    ratio('cli_help_vs_bare_node', helpMs, bareMs);

    const dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-startup-'));
    try {
      await timeServeBanner(dataDir); // first run: creates the store and picks the ports
      const serve: number[] = [];
      for (let i = 0; i < 5; i++) serve.push(await timeServeBanner(dataDir));
      const serveMs = median(serve);
      report('serve_banner_ms', serveMs, 'ms');
      ratio('serve_banner_vs_bare_node', serveMs, bareMs);
    } finally {
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    }
  },
};
