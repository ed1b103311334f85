import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { TASKS_STREAM, TASK_WORKERS_CONSUMER, TASK_WORKERS_HIGH_CONSUMER } from '../../api/task-wire';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { connectTo, makeTask, publishMany, storedEvents } from '../workers/helpers';
import { pollUntil, sampleValue, scrape, spawnCliWorker, type CliWorker } from './helpers';

let server: TestServer;
let nc: NatsConnection;
const workers: CliWorker[] = [];

beforeAll(async () => {
  server = await startServer();
  nc = await connectTo(server.url);
});

afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
  await nc?.close();
  await stopAll();
});

/**
 * Runs 50 tasks (echo, or sleep of 50 ms so that every thread of a pool gets some) through a
 * `jetdeck worker` and checks what its /metrics says; returns the ids of the tasks.
 */
async function fiftyTasks(
  extraArgs: string[],
  name: string,
  type: 'echo' | 'sleep' = 'echo',
): Promise<string[]> {
  // Port 0: the worker binds any free port and says which.
  const w = spawnCliWorker(['--nats', server.url, '--metrics-port', '0', ...extraArgs], name);
  workers.push(w);
  await w.running;
  const url = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(w.output())?.[1];
  if (!url) throw new Error(`no metrics URL in the worker's output:\n${w.output()}`);
  const before = sampleValue(await scrape(url), 'jetdeck_tasks_processed_total') ?? 0;
  expect(before).toBe(0);

  const tasks = Array.from({ length: 50 }, (_, i) => makeTask(type, type === 'sleep' ? { ms: 50 } : { i }));
  await publishMany(jetstream(nc), tasks);
  const text = await pollUntil(
    () => scrape(url),
    (t) => sampleValue(t, 'jetdeck_tasks_processed_total') === 50,
    20_000,
    'jetdeck_tasks_processed_total 50',
  );
  expect(sampleValue(text, 'jetdeck_task_handler_latency_seconds_count')).toBe(50);
  expect(sampleValue(text, 'jetdeck_task_handler_latency_seconds_bucket', { type, le: '+Inf' })).toBe(50);
  expect(sampleValue(text, 'jetdeck_task_handler_latency_seconds_sum')).toBeGreaterThanOrEqual(0);
  expect(sampleValue(text, 'jetdeck_tasks_failed_total')).toBe(0);
  expect(sampleValue(text, 'jetdeck_tasks_retried_total')).toBe(0);
  expect(sampleValue(text, 'jetdeck_tasks_in_flight')).toBe(0);
  expect(text).toContain('# TYPE jetdeck_task_handler_latency_seconds histogram');
  // Its lanes' consumer gauges (polled every 5 s; the first poll runs at start).
  for (const consumer of [TASK_WORKERS_HIGH_CONSUMER, TASK_WORKERS_CONSUMER]) {
    const lane = { stream: TASKS_STREAM, consumer };
    expect(sampleValue(text, 'jetdeck_consumer_pending', lane)).toBeGreaterThanOrEqual(0);
    expect(sampleValue(text, 'jetdeck_consumer_ack_pending', lane)).toBeGreaterThanOrEqual(0);
  }

  w.proc.kill('SIGINT');
  expect(await w.exited).toBe(0);
  return tasks.map((t) => t.id);
}

describe('jetdeck worker --metrics-port', () => {
  it('serves the worker runtime’s counters and latency histogram', async () => {
    await fiftyTasks([], 'metrics-single');
  }, 45_000);

  it('with --threads, merges every thread’s counters and histogram; both threads ran tasks', async () => {
    const ids = new Set(await fiftyTasks(['--threads', '2', '--concurrency', '4'], 'metrics-pool', 'sleep'));
    // The merged figures above count 50: here, who ran them (a thread's name is its worker's).
    const done = (await storedEvents(nc, 'completed')).filter((e) => ids.has(e.id));
    expect(done).toHaveLength(50);
    expect(new Set(done.map((e) => e.worker))).toEqual(new Set(['metrics-pool-1', 'metrics-pool-2']));
  }, 45_000);

  it('fails fast with a clear message when the port is taken', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const w = spawnCliWorker(['--nats', server.url, '--metrics-port', String(port)], 'metrics-busy');
      workers.push(w);
      await expect(w.running).rejects.toThrow(/exited/);
      expect(await w.exited).toBe(1);
      expect(w.output()).toContain(`--metrics-port ${port} on 127.0.0.1: the port is in use`);
      expect(w.output()).not.toContain('consuming');
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('rejects a bad port or host at the boundary', async () => {
    const bad = spawnCliWorker(['--nats', server.url, '--metrics-port', 'abc'], 'metrics-bad');
    const host = spawnCliWorker(
      ['--nats', server.url, '--metrics-port', '0', '--metrics-host', 'not a host'],
      'metrics-bad-host',
    );
    workers.push(bad, host);
    expect(await Promise.all([bad.exited, host.exited])).toEqual([2, 2]);
    expect(bad.output()).toContain('jetdeck worker: --metrics-port: must be a port number');
    expect(host.output()).toContain('jetdeck worker: --metrics-host: expected an IP address or host name');
  });
});
