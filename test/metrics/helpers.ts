import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pollUntil as poll } from '../harness/poll';

/** Helpers for the /metrics tests: scrape and read Prometheus text, spawn `jetdeck worker`. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/jetdeck.mjs', import.meta.url));

export async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return res.text();
}

/**
 * The value of one sample line: `name` exactly, with any labels when `labels` is omitted, or
 * with exactly these labels. Undefined when the series is absent.
 */
export function sampleValue(text: string, name: string, labels?: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (labels) {
      const have = Object.fromEntries(
        [...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]] as const),
      );
      if (JSON.stringify(Object.entries(have).sort()) !== JSON.stringify(Object.entries(labels).sort()))
        continue;
    }
    return Number(m[4]);
  }
  return undefined;
}

/** Polls until `fn`'s value satisfies `ok` (the harness's pollUntil). */
export const pollUntil = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string) =>
  poll(fn, { ok, timeoutMs, what });

export interface CliWorker {
  proc: ChildProcess;
  output(): string;
  /** Resolves once the worker logs `running` (rejects if it exits first). */
  running: Promise<void>;
  exited: Promise<number | null>;
}

export function spawnCliWorker(args: string[], name: string): CliWorker {
  const proc = spawn(process.execPath, [CLI, 'worker', '--name', name, '--summary-every', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const running = new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (/metrics at http/.test(out)) resolve();
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    void exited.then((code) =>
      reject(new Error(`worker ${name} exited with ${code} before running:\n${out}`)),
    );
  });
  running.catch(() => {});
  return { proc, output: () => out, running, exited };
}
