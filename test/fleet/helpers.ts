import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/jetdeck.mjs', import.meta.url));

export interface FleetProcess {
  proc: ChildProcess;
  output: () => string;
  /** Resolves with the service id once the worker registered its NATS service. */
  registered: Promise<string>;
  exited: Promise<number | null>;
  kill(): void;
}

/** A `jetdeck worker` child process; `extra` flags are appended (e.g. --allow-remote-control). */
export function spawnFleetWorker(urls: string[], name: string, extra: string[] = []): FleetProcess {
  const proc = spawn(
    process.execPath,
    [CLI, 'worker', '--nats', urls.join(','), '--name', name, '--summary-every', '0', ...extra],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const registered = new Promise<string>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /NATS service jetdeck-worker id (\S+);/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}:\n${out}`)));
  });
  registered.catch(() => undefined);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    output: () => out,
    registered,
    exited,
    kill: () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}
