import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectTo, makeTask, prepareTopology, publishMany, storedCompletions, waitUntil } from './helpers';

/**
 * The exactly-once reporting scenario shared by the kill -9, server-restart and cluster tests:
 * `jetdeck worker` child processes drain 2,000 sleep tasks while something is disrupted midway;
 * afterwards the stream must hold exactly one `tasks.status.completed` message per task id.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/jetdeck.mjs', import.meta.url));

export interface WorkerProcess {
  proc: ChildProcess;
  output: () => string;
  running: Promise<void>;
  exited: Promise<number | null>;
}

export function spawnWorker(
  urls: string[],
  name: string,
  concurrency = 8,
  extraArgs: string[] = [],
): WorkerProcess {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing`);
  const proc = spawn(
    process.execPath,
    [
      CLI,
      'worker',
      '--nats',
      urls.join(','),
      '--concurrency',
      String(concurrency),
      '--name',
      name,
      '--summary-every',
      '0',
      ...extraArgs,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const running = new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes(`worker ${name}: running`)) resolve();
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) =>
      reject(new Error(`worker ${name} exited with ${code} before running:\n${out}`)),
    );
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, output: () => out, running, exited };
}

export interface Scenario {
  urls: string[];
  replicas?: number;
  /** Runs once about a third of the tasks are reported; may spawn more workers. */
  disrupt(ctx: { workers: WorkerProcess[]; spawn(name: string): WorkerProcess }): Promise<void>;
}

export async function runExactlyOnce(
  s: Scenario,
  tasksCount = 2000,
): Promise<{ stored: Map<string, number>; ids: string[]; workers: WorkerProcess[] }> {
  const nc: NatsConnection = await connectTo(s.urls);
  const workers: WorkerProcess[] = [];
  const spawnOne = (name: string) => {
    const w = spawnWorker(s.urls, name);
    workers.push(w);
    return w;
  };
  try {
    await prepareTopology(nc, { ackWaitMs: 3000, replicas: s.replicas });
    await spawnOne('eo-a').running;
    const tasks = Array.from({ length: tasksCount }, (_, i) => makeTask('sleep', { ms: 5 + (i % 16) }));
    await publishMany(jetstream(nc), tasks);
    await waitUntil(
      async () => (await storedCompletions(nc)).size >= tasksCount / 3,
      30_000,
      'a third of the tasks',
    );
    await s.disrupt({ workers, spawn: spawnOne });
    let stored = new Map<string, number>();
    await waitUntil(
      async () => {
        stored = await storedCompletions(nc).catch(() => stored);
        return stored.size >= tasksCount;
      },
      40_000,
      'every task completed',
    ).catch((err: Error) => {
      throw new Error(
        `${err.message} (${stored.size}/${tasksCount})\n${workers.map((w) => w.output().slice(-2000)).join('\n---\n')}`,
      );
    });
    return { stored, ids: tasks.map((t) => t.id), workers };
  } finally {
    for (const w of workers)
      if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await nc.close();
  }
}
