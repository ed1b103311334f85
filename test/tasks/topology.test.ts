import { afterEach, describe, expect, it } from 'vitest';
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TopologyReport } from '../../api/features/tasks';
import { type ApiError } from '../../api/errors';
import { makeTestCore, type TestCore } from '../harness/core';
import { startCluster, startServer, type TestServer } from '../harness/nats-server';
import { rawClient, record, until } from './helpers';

describe('TASKS topology', () => {
  let server: TestServer | undefined;
  let t: TestCore | undefined;
  let raw: Awaited<ReturnType<typeof rawClient>> | undefined;
  afterEach(async () => {
    await raw?.close();
    await t?.dispose();
    await server?.dispose();
    raw = t = server = undefined;
  });

  it('creates the stream and lane consumers on connect, idempotently', async () => {
    server = await startServer();
    raw = await rawClient(server.url);
    t = makeTestCore();
    const reports = record(t.core, 'tasks.topology');
    await t.connectTo(server.url);
    expect(reports.events[0]).toMatchObject({ state: 'created', diff: [] });
    expect(reports.events[0].stream.state).toBe('created');
    expect(reports.events[0].consumers.map((c) => [c.name, c.state])).toEqual([
      ['task-workers', 'created'],
      ['task-workers-high', 'created'],
      ['task-scheduler', 'created'],
    ]);

    const si = await raw.jsm.streams.info('TASKS');
    expect(si.config).toMatchObject({
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(7 * 24 * 3600 * 1000),
      duplicate_window: nanos(3600 * 1000),
      num_replicas: 1,
    });
    expect([...si.config.subjects].sort()).toEqual([
      'tasks.delete',
      'tasks.high',
      'tasks.new',
      'tasks.scheduled',
      'tasks.status.*',
      'tasks.typed.*',
    ]);
    // The scheduled lane's consumer never gives up on a waiting task (every nak is a delivery).
    expect((await raw.jsm.consumers.info('TASKS', 'task-scheduler')).config).toMatchObject({
      filter_subject: 'tasks.scheduled',
      ack_policy: AckPolicy.Explicit,
      max_deliver: -1,
      max_ack_pending: 10_000,
    });
    const ci = await raw.jsm.consumers.info('TASKS', 'task-workers');
    expect(ci.config).toMatchObject({
      filter_subject: 'tasks.new',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: 3,
      ack_wait: nanos(30_000),
    });

    // Reconnect: everything exists with our config → ok, nothing created.
    await t.call('connections.disconnect');
    await t.call('connections.connect', {
      id: (await t.call('connections.list')).profiles.find((p) => p.name.includes(server!.url))!.id,
    });
    expect(reports.events.at(-1)).toMatchObject({ state: 'ok', diff: [] });
    expect((await t.call('tasks.topology')).state).toBe('ok');
    expect((await raw.jsm.streams.info('TASKS')).created).toBe(si.created);
  });

  it('reports a differing existing stream field by field and never overwrites it; applyTopology fixes what it can', async () => {
    server = await startServer();
    raw = await rawClient(server.url);
    await raw.jsm.streams.add({
      name: 'TASKS',
      subjects: ['tasks.new', 'tasks.status.*', 'tasks.delete'],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.Memory,
      max_age: nanos(3600 * 1000),
      duplicate_window: nanos(120_000),
    });
    await raw.jsm.consumers.add('TASKS', {
      durable_name: 'task-workers',
      filter_subject: 'tasks.new',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: 5,
      ack_wait: nanos(10_000),
    });
    const before = await raw.jsm.streams.info('TASKS');
    t = makeTestCore();
    const reports = record(t.core, 'tasks.topology');
    await t.connectTo(server.url);
    const report: TopologyReport = reports.events[0];
    expect(report.state).toBe('differs');
    // tasks.high is not among the stream's subjects, so its lane cannot be created yet.
    expect(report.consumers.find((c) => c.name === 'task-workers-high')?.state).toBe('error');
    const byPath = Object.fromEntries(report.diff.map((d) => [d.path, d]));
    expect(byPath['stream.retention']).toMatchObject({
      current: 'workqueue',
      wanted: 'limits',
      updatable: false,
    });
    expect(byPath['stream.storage']).toMatchObject({ current: 'memory', wanted: 'file', updatable: false });
    expect(byPath['stream.max_age']).toMatchObject({ current: '1h', wanted: '7d', updatable: true });
    expect(byPath['stream.duplicate_window']).toMatchObject({ current: '2m', wanted: '1h', updatable: true });
    expect(byPath['stream.subjects'].updatable).toBe(true);
    expect(byPath['consumer.task-workers.max_deliver']).toMatchObject({
      current: 5,
      wanted: 3,
      updatable: true,
    });
    expect(byPath['consumer.task-workers.ack_wait']).toMatchObject({ current: '10s', wanted: '30s' });
    // Nothing was changed.
    const after = await raw.jsm.streams.info('TASKS');
    expect(after.config).toEqual(before.config);
    expect((await raw.jsm.consumers.info('TASKS', 'task-workers')).config.max_deliver).toBe(5);

    const err = (await t.call('tasks.applyTopology', {} as never).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/confirm/);

    const applied = await t.call('tasks.applyTopology', { confirm: true });
    expect(applied.updated).toEqual(
      expect.arrayContaining([
        'stream.subjects',
        'stream.max_age',
        'stream.duplicate_window',
        'consumer.task-workers.max_deliver',
        'consumer.task-workers.ack_wait',
      ]),
    );
    expect(applied.notApplied.map((n) => n.path).sort()).toEqual(['stream.retention', 'stream.storage']);
    expect(applied.notApplied[0].reason).toMatch(/recreated/);
    const fixed = await raw.jsm.streams.info('TASKS');
    expect(fixed.config.max_age).toBe(nanos(7 * 24 * 3600 * 1000));
    expect(fixed.config.retention).toBe(RetentionPolicy.Workqueue);
    expect((await raw.jsm.consumers.info('TASKS', 'task-workers')).config.max_deliver).toBe(3);
    expect(applied.report.state).toBe('differs');
    expect(applied.report.diff.map((d) => d.path).sort()).toEqual(['stream.retention', 'stream.storage']);
  });

  it('creates TASKS with the stored replicas setting on a cluster (R3)', async () => {
    const cluster = await startCluster(3);
    const dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-data-'));
    try {
      writeFileSync(join(dataDir, 'tasks.json'), JSON.stringify({ replicas: 3 }));
      t = makeTestCore({ dataDir });
      const reports = record(t.core, 'tasks.topology');
      await t.connectTo(cluster.urls);
      // A fresh cluster may not have a meta leader yet: the service retries until it does.
      const settled = await until(
        () => reports.events.find((e) => e.state !== 'error'),
        'TASKS in place',
        30_000,
      ).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}; reports: ${JSON.stringify(reports.events)}`);
      });
      expect(['created', 'ok']).toContain(settled.state);
      expect(settled.replicas).toBe(3);
      raw = await rawClient(cluster.urls[0]);
      const si = await raw.jsm.streams.info('TASKS');
      expect(si.config.num_replicas).toBe(3);
      expect(si.cluster?.replicas?.length).toBe(2);
      const published = await t.call('tasks.publish', { type: 'echo', payload: 'r3' });
      expect(published.seq).toBeGreaterThan(0);
      // Lowering it is an in-place update.
      const r = await t.call('tasks.applyTopology', { confirm: true, replicas: 1 });
      expect(r.updated).toContain('stream.num_replicas');
      expect(JSON.parse(readFileSync(join(dataDir, 'tasks.json'), 'utf8'))).toEqual({ replicas: 1 });
      expect((await raw.jsm.streams.info('TASKS')).config.num_replicas).toBe(1);
    } finally {
      await raw?.close();
      await t?.dispose();
      raw = t = undefined;
      await cluster.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('explains that the task queue needs JetStream when the server has none', async () => {
    server = await startServer({ jetstream: false });
    t = makeTestCore();
    await t.connectTo(server.url);
    const err = (await t
      .call('tasks.publish', { type: 'echo', payload: 1 })
      .catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/JetStream/);
  });
});
