import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerMetricsRoutes } from '../../core/monitor/metrics-routes';
import { LatencyHistogram } from '../../nats/latency-histogram';
import { createMetricsRegistry } from '../../nats/metrics/prometheus';
import { MAX_TYPE_LABELS, TypeStats } from '../../nats/metrics/type-stats';
import Fastify from 'fastify';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { connectTo, makeTask, publishMany } from '../workers/helpers';
import { pollUntil, sampleValue } from './helpers';
import { TASK_SCHEDULER_CONSUMER } from '../../api/task-wire';

/**
 * The live /metrics output checked by promtool (Prometheus's own linter: naming, `_total` on
 * counters, help text, base units), and the Grafana dashboard checked against it: every metric
 * a panel queries must be one /metrics exports.
 */

const DASHBOARD = fileURLToPath(new URL('../../resources/grafana/jetdeck-dashboard.json', import.meta.url));
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const hasPromtool = promtool.status === 0;
if (!hasPromtool)
  console.log('promtool check skipped: no promtool on PATH (Debian/Ubuntu: apt-get install prometheus)');

let server: TestServer;
let tc: TestCore;
let nc: NatsConnection;
let live = '';

/** `jetdeck serve`'s GET /metrics for the test core. */
async function scrapeCore(): Promise<string> {
  const app = Fastify();
  try {
    await registerMetricsRoutes(app, tc.core.features.monitor);
    return (await app.inject({ method: 'GET', url: '/metrics' })).body;
  } finally {
    await app.close();
  }
}

function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

beforeAll(async () => {
  server = await startServer();
  tc = makeTestCore();
  // HTTP monitoring so server CPU and memory are reported too.
  const p = await tc.call('connections.save', {
    name: 'metrics',
    servers: [server.url],
    monitorUrls: [`http://127.0.0.1:${server.httpPort}`],
  });
  await tc.call('connections.connect', { id: p.id });
  nc = await connectTo(server.url);
  await tc.call('workers.start', { threads: 1, concurrency: 4 });
  await publishMany(jetstream(nc), [
    ...Array.from({ length: 6 }, (_, i) => makeTask('echo', { i })),
    ...Array.from({ length: 2 }, () => makeTask('fail', { message: 'boom' }, { max_attempts: 1 })),
  ]);
  // Every family with a value: per-type counters (echo done, fail failed), consumers, server CPU.
  live = await pollUntil(
    scrapeCore,
    (t) =>
      sampleValue(t, 'jetdeck_tasks_processed_total', { type: 'echo' }) === 6 &&
      sampleValue(t, 'jetdeck_tasks_failed_total', { type: 'fail' }) === 2 &&
      sampleValue(t, 'jetdeck_server_cpu_ratio') !== undefined &&
      sampleValue(t, 'jetdeck_consumer_pending') !== undefined,
    30_000,
    'metrics with per-type counters, consumers and server CPU',
  );
}, 60_000);

afterAll(async () => {
  await tc?.call('workers.stop', { graceful: false }).catch(() => {});
  await tc?.dispose();
  await nc?.close();
  await stopAll();
});

describe('/metrics follows Prometheus conventions', () => {
  it.skipIf(!hasPromtool)('promtool check metrics passes on the live output of serve', () => {
    const r = promtoolCheck(live);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
    // The check can fail: a percent gauge and a counter without _total are both reported.
    const bad = promtoolCheck('# HELP x_percent p\n# TYPE x_percent counter\nx_percent 1\n');
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/_total/);
  });

  it.skipIf(!hasPromtool)(
    'promtool check metrics passes on a bare worker registry with many types',
    async () => {
      // `jetdeck worker --metrics-port` formats a reader of plain numbers with the same registry.
      const types = new TypeStats();
      for (let i = 0; i < MAX_TYPE_LABELS + 5; i++) {
        types.count(`t${i}`, 'processed');
        types.observe(`t${i}`, 3);
      }
      const latency = new LatencyHistogram();
      latency.observe(3);
      const reg = createMetricsRegistry(
        () => ({
          pool: {
            processed: 25,
            failed: 0,
            retried: 0,
            inFlight: 0,
            latency: latency.snapshot(),
            types: types.snapshot(),
          },
        }),
        { version: '9.9.9', component: 'worker' },
      );
      const text = await reg.metrics();
      expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
      // Bounded: 20 named types and `other` for the rest.
      const labels = [...text.matchAll(/^jetdeck_tasks_processed_total\{type="([^"]+)"\}/gm)].map(
        (m) => m[1],
      );
      expect(labels).toHaveLength(MAX_TYPE_LABELS + 1);
      expect(sampleValue(text, 'jetdeck_tasks_processed_total', { type: 'other' })).toBe(5);
    },
  );

  it('names: ratios not percents, _total counters, build info, process metrics, durable consumers only', () => {
    expect(live).toMatch(/^# TYPE jetdeck_server_cpu_ratio gauge$/m);
    expect(live).not.toMatch(/^jetdeck_\w*percent/m);
    expect(live).toMatch(/^# TYPE jetdeck_server_slow_consumers_total counter$/m);
    for (const m of live.matchAll(/^# TYPE (\S+) counter$/gm)) expect(m[1]).toMatch(/_total$/);
    expect(live).toMatch(/^jetdeck_build_info\{version="[^"]+",component="test",nodejs="[^"]+"\} 1$/m);
    expect(live).toMatch(/^process_cpu_seconds_total /m);
    expect(live).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(sampleValue(live, 'jetdeck_task_handler_latency_seconds_count', { type: 'echo' })).toBe(6);
    // The lane and scheduler consumers are durable; nothing ephemeral (no durable name) is labelled.
    const consumers = new Set(
      [...live.matchAll(/^jetdeck_consumer_pending\{stream="[^"]+",consumer="([^"]+)"\}/gm)].map((m) => m[1]),
    );
    expect([...consumers]).toContain('task-workers');
    for (const c of consumers) expect(c).toMatch(new RegExp(`^(task-workers|${TASK_SCHEDULER_CONSUMER}$)`));
  });
});

describe('Grafana dashboard (resources/grafana)', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: { type: string; title: string; targets?: { expr: string }[] }[];
    templating: { list: { query?: unknown; definition?: string }[] };
  };
  const exprs = [
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...dashboard.templating.list.flatMap((v) => (v.definition ? [v.definition] : [])),
  ];
  /** Metric names in a PromQL expression: identifiers of our families, not functions or labels. */
  const metricNames = (expr: string) =>
    [...expr.matchAll(/\b((?:jetdeck|process|nodejs)_[a-zA-Z0-9_]+)/g)].map((m) => m[1]);

  it('every query names a metric that /metrics really exports', () => {
    expect(exprs.length).toBeGreaterThan(10);
    const exported = new Set([...live.matchAll(/^([a-zA-Z_:][\w:]*)(?:\{| )/gm)].map((m) => m[1]));
    const used = new Set(exprs.flatMap(metricNames));
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used].filter((n) => !exported.has(n));
    expect(missing).toEqual([]);
  });

  it('covers backlog and time to drain, throughput and latency per type, failures, consumer lag, server CPU and memory', () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const word of [
      'backlog',
      'time to drain',
      'completed per second',
      'latency',
      'failed',
      'dead letters',
      'consumer lag',
      'cpu',
      'memory',
    ])
      expect(titles).toContain(word);
    expect(
      exprs.some(
        (e) => /by \(type(, le)?\)/.test(e) && e.includes('jetdeck_task_handler_latency_seconds_bucket'),
      ),
    ).toBe(true);
  });
});
