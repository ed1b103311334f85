import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { MonitorSample } from '../../api/features/monitor';
import { readPoolMetrics } from '../../core/monitor/pool-metrics';
import { startServe, type ServeHandle } from '../../core/serve/server';
import { metricsPortFromEnv, serveDesktopMetrics } from '../../electron/metrics-port';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { connectTo, makeTask, publishMany } from '../workers/helpers';
import { pollUntil, sampleValue, scrape } from './helpers';

let server: TestServer;
let tc: TestCore;
let nc: NatsConnection;
let serve: ServeHandle;
const samples: MonitorSample[] = [];

beforeAll(async () => {
  server = await startServer();
  tc = makeTestCore();
  tc.core.bus.on('monitor.sample', (b) => samples.push(...b.samples));
  await tc.connectTo(server.url);
  nc = await connectTo(server.url);
  serve = await startServe(tc.core, {
    host: '127.0.0.1',
    port: 0,
    token: 'metrics-test-token-0123456789-abcdefgHIJ',
  });
});

afterAll(async () => {
  await serve?.close();
  await tc?.dispose();
  await nc?.close();
  await stopAll();
});

afterEach(async () => {
  await tc.call('workers.stop', { graceful: false });
});

/** `jetdeck serve`'s /metrics (token required like every other route). */
async function serveMetrics(): Promise<string> {
  const res = await serve.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${serve.token}` },
  });
  if (res.statusCode !== 200) throw new Error(`GET /metrics: ${res.statusCode} ${res.body}`);
  return res.body;
}

describe('in-process pool → monitor and /metrics', () => {
  it('registers while running: counters, merged histogram, pool charts; in flight 0 after stop', async () => {
    expect(readPoolMetrics()).toBeUndefined();
    const desktop = await serveDesktopMetrics(tc.core, 0);
    expect(desktop.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await tc.call('workers.start', { threads: 2, concurrency: 4 });
    expect(readPoolMetrics()).toMatchObject({ processed: 0, inFlight: 0 });
    // Throughput is a difference between samples: let the sampler see the idle pool first.
    const seen = samples.length;
    await pollUntil(
      async () => samples.slice(seen).some((s) => s.values['pool:pool:in_flight'] === 0),
      (v) => v,
      10_000,
      'a sample of the idle pool',
    );

    await publishMany(
      jetstream(nc),
      Array.from({ length: 50 }, (_, i) => makeTask('echo', { i })),
    );
    const text = await pollUntil(
      () => scrape(desktop.url),
      (t) => sampleValue(t, 'jetdeck_tasks_processed_total') === 50,
      20_000,
      'processed 50 on the desktop metrics port',
    );
    // Both threads' buckets merged: one observation per processed task.
    expect(sampleValue(text, 'jetdeck_task_handler_latency_seconds_count')).toBe(50);
    expect(
      sampleValue(text, 'jetdeck_task_handler_latency_seconds_bucket', { type: 'echo', le: '+Inf' }),
    ).toBe(50);
    expect(sampleValue(text, 'jetdeck_tasks_failed_total')).toBe(0);
    expect(sampleValue(text, 'jetdeck_tasks_retried_total')).toBe(0);
    const snap = readPoolMetrics();
    expect(snap?.workers?.map((w) => w.id).sort()).toEqual(['jetdeck-pool-1', 'jetdeck-pool-2']);
    expect(snap?.workers?.reduce((n, w) => n + w.processed, 0)).toBe(50);

    // The same registry behind `jetdeck serve`'s GET /metrics.
    const served = await serveMetrics();
    expect(sampleValue(served, 'jetdeck_tasks_processed_total')).toBe(50);
    expect(sampleValue(served, 'jetdeck_task_handler_latency_seconds_count')).toBe(50);

    // The monitor's sampler charts the pool: a throughput point above zero and latency percentiles.
    await pollUntil(
      async () => samples.some((s) => (s.values['pool:pool:throughput'] ?? 0) > 0),
      (v) => v,
      10_000,
      'a pool throughput sample',
    );
    const withLatency = samples.filter((s) => s.values['pool:pool:p50_ms'] !== undefined);
    expect(withLatency.length).toBeGreaterThan(0);
    const history = await tc.call('monitor.history', { range: '5m', series: ['pool:'] });
    expect(Object.keys(history.series)).toEqual(expect.arrayContaining(['pool:pool:in_flight']));

    const stopped = await tc.call('workers.stop', { graceful: true });
    expect(stopped.state).toBe('stopped');
    expect(readPoolMetrics()).toBeUndefined();
    const after = await scrape(desktop.url);
    expect(sampleValue(after, 'jetdeck_tasks_in_flight')).toBe(0);
    expect(sampleValue(after, 'jetdeck_tasks_processed_total')).toBeUndefined();
    await desktop.close();
  }, 45_000);

  it('keeps counting across a scale-down (counters never go backwards)', async () => {
    // Concurrency 1 and 10 ms tasks: each thread holds at most 2 tasks, so both get work.
    await tc.call('workers.start', { threads: 2, concurrency: 1 });
    const js = jetstream(nc);
    await publishMany(
      js,
      Array.from({ length: 40 }, () => makeTask('sleep', { ms: 10 })),
    );
    await pollUntil(
      async () => readPoolMetrics()?.processed ?? 0,
      (n) => n === 40,
      20_000,
      '40 processed',
    );
    const leaving = readPoolMetrics()?.workers?.find((w) => w.id === 'jetdeck-pool-2');
    expect(leaving?.processed).toBeGreaterThan(0);
    await tc.call('workers.scale', { threads: 1 });
    const afterScale = readPoolMetrics();
    expect(afterScale?.processed).toBe(40);
    expect(afterScale?.latency.count).toBe(40);
    expect(afterScale?.workers).toHaveLength(1);
    await publishMany(
      js,
      Array.from({ length: 10 }, (_, i) => makeTask('echo', { i })),
    );
    const m = await pollUntil(
      async () => readPoolMetrics(),
      (s) => s?.processed === 50,
      20_000,
      '50 processed after scale-down',
    );
    expect(m?.latency.count).toBe(50);
    await tc.call('workers.stop', { graceful: true });
  }, 45_000);
});

describe('desktop metrics port setting', () => {
  it('reads JETDECK_METRICS_PORT: unset is off, a bad value is a clear error', () => {
    expect(metricsPortFromEnv({})).toBeUndefined();
    expect(metricsPortFromEnv({ JETDECK_METRICS_PORT: '' })).toBeUndefined();
    expect(metricsPortFromEnv({ JETDECK_METRICS_PORT: ' 9464 ' })).toBe(9464);
    expect(() => metricsPortFromEnv({ JETDECK_METRICS_PORT: 'abc' })).toThrow(/JETDECK_METRICS_PORT/);
    expect(() => metricsPortFromEnv({ JETDECK_METRICS_PORT: '70000' })).toThrow(/1\.\.65535/);
    expect(() => metricsPortFromEnv({ JETDECK_METRICS_PORT: '0' })).toThrow(/1\.\.65535/);
  });
});
