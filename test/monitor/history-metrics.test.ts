import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../nats/latency-histogram';
import { createMetricsServer } from '../../nats/metrics/metrics-server';
import { registerMetricsRoutes } from '../../core/monitor/metrics-routes';
import { setPoolMetricsSource } from '../../core/monitor/pool-metrics';
import type { PoolMetricsSnapshot } from '../../nats/metrics/inputs';
import { makeTestCore } from '../harness/core';
import { startServer, type TestServer } from '../harness/nats-server';
import { waitFor } from './helpers';

let server: TestServer;
const dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-monitor-'));

beforeAll(async () => {
  server = await startServer();
  const nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'HIST', subjects: ['hist.>'] });
  await jsm.consumers.add('HIST', { durable_name: 'c1', ack_policy: AckPolicy.Explicit });
  const js = jetstream(nc);
  for (let i = 0; i < 7; i++) await js.publish('hist.x', String(i));
  await nc.close();
}, 30_000);
afterAll(async () => {
  await server?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('history', () => {
  it('is persisted per profile and reloaded by a new core on the same data dir', async () => {
    const first = makeTestCore({ dataDir });
    let before: Awaited<ReturnType<typeof first.call<'monitor.history'>>>;
    try {
      await first.connectTo(server.url);
      await first.call('monitor.config.set', { intervalMs: 250 });
      before = await waitFor(async () => {
        const h = await first.call('monitor.history', {
          range: '5m',
          series: ['consumer:HIST/c1:', 'stream:HIST:'],
        });
        return h.t.length >= 6 ? h : undefined;
      }, 'six samples');
      expect(before.series['consumer:HIST/c1:pending']?.at(-1)).toBe(7);
      expect(before.series['stream:HIST:messages']?.at(-1)).toBe(7);
      const batch = await new Promise<{ samples: { values: Record<string, number> }[] }>((resolve) => {
        const off = first.core.bus.on('monitor.sample', (b) => {
          off();
          resolve(b);
        });
      });
      expect(batch.samples[0].values['consumer:HIST/c1:pending']).toBe(7);
    } finally {
      await first.dispose(); // flushes the history
    }
    const profileDirs = readdirSync(join(dataDir, 'monitor')).filter((f) => f !== 'config.json');
    expect(profileDirs).toHaveLength(1);

    const second = makeTestCore({ dataDir });
    try {
      // not connected: the last active profile's persisted history
      const after = await second.call('monitor.history', {
        range: '5m',
        series: ['consumer:HIST/c1:pending'],
      });
      expect(after.t.length).toBeGreaterThanOrEqual(before.t.length);
      expect(after.t.slice(0, before.t.length)).toEqual(before.t);
      expect(after.series['consumer:HIST/c1:pending']?.at(-1)).toBe(7);
      const day = await second.call('monitor.history', { range: '24h', series: ['stream:HIST:messages'] });
      expect(day.resolutionMs).toBe(60_000);
      expect(day.series['stream:HIST:messages']?.at(-1)).toBe(7);
      expect((await second.call('monitor.config.get')).intervalMs).toBe(250);
    } finally {
      await second.dispose();
    }
  }, 40_000);

  it('validates the range', async () => {
    const tc = makeTestCore();
    try {
      await expect(tc.call('monitor.history', { range: '2d' as never })).rejects.toMatchObject({
        code: 'invalid_input',
      });
      await expect(tc.call('monitor.servers')).rejects.toMatchObject({ code: 'not_connected' });
    } finally {
      await tc.dispose();
    }
  });
});

describe('Prometheus', () => {
  const latency = new LatencyHistogram();
  [3, 7, 40, 900].forEach((ms) => latency.observe(ms));
  const pool: PoolMetricsSnapshot = {
    processed: 4,
    failed: 1,
    retried: 2,
    inFlight: 3,
    latency: latency.snapshot(),
  };

  it('GET /metrics serves jetdeck_ metrics from the core registry', async () => {
    const off = setPoolMetricsSource(() => pool);
    const tc = makeTestCore();
    const app = Fastify();
    try {
      await registerMetricsRoutes(app, tc.core.features.monitor);
      await tc.connectTo(server.url);
      await waitFor(
        async () => (await tc.call('monitor.health')).entries['consumer:HIST/c1'],
        'a sample with the consumer',
      );
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const text = res.body;
      expect(text).toContain('jetdeck_tasks_processed_total 4');
      expect(text).toContain('jetdeck_tasks_failed_total 1');
      expect(text).toContain('jetdeck_tasks_retried_total 2');
      expect(text).toContain('jetdeck_tasks_in_flight 3');
      expect(text).toContain('jetdeck_task_handler_latency_seconds_bucket{le="0.005"} 1');
      expect(text).toContain('jetdeck_task_handler_latency_seconds_bucket{le="+Inf"} 4');
      expect(text).toContain('jetdeck_task_handler_latency_seconds_count 4');
      expect(text).toContain('jetdeck_consumer_pending{stream="HIST",consumer="c1"} 7');
      expect(text).toContain('jetdeck_consumer_ack_pending{stream="HIST",consumer="c1"} 0');
      expect(text).toMatch(/jetdeck_server_up\{server="[^"]+"\} 1/);
      expect(text).not.toMatch(/^(?!#)(?!jetdeck_|process_|nodejs_)\S+/m);
    } finally {
      off();
      await app.close();
      await tc.dispose();
    }
  }, 30_000);

  it('createMetricsServer works from a plain stats reader (jetdeck worker --metrics-port)', async () => {
    const srv = await createMetricsServer(() => ({ pool }), 0);
    try {
      const res = await fetch(srv.url);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('jetdeck_tasks_processed_total 4');
      expect(text).toContain('jetdeck_task_handler_latency_seconds_sum 0.95');
      expect((await fetch(srv.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await srv.close();
    }
  });
});
