import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, type TestServer } from '../harness/nats-server';
import { rawClient, record, streamMessages, until } from './helpers';

describe('task publishing', () => {
  let server: TestServer;
  let t: TestCore;
  let raw: Awaited<ReturnType<typeof rawClient>>;

  beforeAll(async () => {
    server = await startServer();
    t = makeTestCore();
    await t.connectTo(server.url);
    raw = await rawClient(server.url);
  });
  afterAll(async () => {
    await raw?.close();
    await t?.dispose();
    await server?.dispose();
  });

  it('publishes a task that the index then shows as pending', async () => {
    const r = await t.call('tasks.publish', { type: 'echo', payload: { hello: 'world' } });
    expect(r.duplicate).toBe(false);
    expect(r.subject).toBe('tasks.new');
    expect(r.task.id).toMatch(/^[0-9A-Z]{26}$/);
    const d = await t.call('tasks.get', { id: r.task.id });
    expect(d.status).toBe('pending');
    expect(d.seq).toBe(r.seq);
    expect(d.task?.payload).toEqual({ hello: 'world' });
    expect(d.timeline[0]).toMatchObject({ kind: 'published', seq: r.seq, subject: 'tasks.new' });
    const sm = await raw.jsm.streams.getMessage('TASKS', { seq: r.seq });
    expect(sm?.header.get('Nats-Msg-Id')).toBe(r.task.id);
    expect(sm?.json()).toMatchObject({ id: r.task.id, type: 'echo', payload: { hello: 'world' } });
  });

  it('drops a duplicate id: PubAck duplicate, one stream message', async () => {
    const before = await streamMessages(raw.jsm, 'tasks.new');
    const a = await t.call('tasks.publish', { type: 'echo', id: 'dup-1', payload: 1 });
    const b = await t.call('tasks.publish', { type: 'echo', id: 'dup-1', payload: 2 });
    expect(a.duplicate).toBe(false);
    expect(b.duplicate).toBe(true);
    expect(b.seq).toBe(a.seq);
    expect(await streamMessages(raw.jsm, 'tasks.new')).toBe(before + 1);
  });

  it('routes priority high to tasks.high and typed tasks to their lane (creating its consumer)', async () => {
    const high = await t.call('tasks.publish', { type: 'echo', priority: 'high', payload: null });
    expect(high.subject).toBe('tasks.high');
    expect((await t.call('tasks.get', { id: high.task.id })).priority).toBe('high');
    const typed = await t.call('tasks.publish', {
      type: 'resize',
      route: 'typed',
      payload: { w: 10 },
      headers: { 'X-Trace': 'abc' },
    });
    expect(typed.subject).toBe('tasks.typed.resize');
    const ci = await raw.jsm.consumers.info('TASKS', 'task-workers-typed-resize');
    expect(ci.config.filter_subject).toBe('tasks.typed.resize');
    expect(ci.num_pending).toBe(1);
    const d = await t.call('tasks.get', { id: typed.task.id });
    expect(d.headers).toEqual({ 'X-Trace': 'abc' });
    expect((await t.call('tasks.types')).types).toContain('resize');
  });

  it('rejects bad input before publishing anything', async () => {
    const before = await streamMessages(raw.jsm);
    const bad: [unknown, RegExp][] = [
      [{ type: '', payload: 1 }, /type/],
      [{ type: 'has space', payload: 1 }, /type/],
      [{ type: 'echo', payload: new Date() }, /payload must be JSON/],
      [{ type: 'echo', payload: { n: Number.NaN } }, /payload must be JSON/],
      [{ type: 'echo', payload: 1, id: 'bad id!' }, /id/],
      [{ type: 'echo', payload: 1, headers: { 'Nats-Msg-Id': 'x' } }, /reserved/],
      [{ type: 'echo', payload: 1, headers: { 'X-A': 'line\nbreak' } }, /line breaks/],
      [{ type: 'echo', payload: 1, priority: 'urgent' }, /priority/],
    ];
    for (const [input, msg] of bad) {
      const err = await t.call('tasks.publish', input as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(input)).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('invalid_input');
      expect((err as ApiError).message).toMatch(msg);
    }
    expect(await streamMessages(raw.jsm)).toBe(before);
  });

  it('refuses a task larger than max_payload with payload_too_large and stores nothing', async () => {
    const before = await streamMessages(raw.jsm);
    const big = 'x'.repeat((raw.nc.info?.max_payload ?? 1048576) + 10);
    const err = (await t
      .call('tasks.publish', { type: 'echo', payload: big })
      .catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('payload_too_large');
    const bulkErr = (await t
      .call('tasks.publishBulk', { type: 'echo', payload: big, count: 3 })
      .catch((e: unknown) => e)) as ApiError;
    expect(bulkErr.code).toBe('payload_too_large');
    expect(await streamMessages(raw.jsm)).toBe(before);
  });

  it('bulk-publishes 5,000 tasks with batched progress events', async () => {
    const before = await streamMessages(raw.jsm, 'tasks.new');
    const progress = record(t.core, 'tasks.bulkProgress');
    const changed = record(t.core, 'tasks.changed');
    const { jobId } = await t.call('tasks.publishBulk', { type: 'echo', payload: { n: 1 }, count: 5000 });
    const final = await until(
      () => progress.events.find((p) => p.jobId === jobId && p.state !== 'running'),
      'bulk end',
    );
    expect(final).toMatchObject({
      state: 'done',
      total: 5000,
      sent: 5000,
      acked: 5000,
      failed: 0,
      duplicates: 0,
    });
    expect(await streamMessages(raw.jsm, 'tasks.new')).toBe(before + 5000);
    // Batched: far fewer events than tasks.
    expect(progress.events.filter((p) => p.jobId === jobId).length).toBeLessThan(100);
    await until(
      async () => (await t.call('tasks.list', { status: 'pending', limit: 1 })).counts.pending >= 5000,
      'index has the bulk',
    );
    expect(changed.events.length).toBeLessThan(200);
    expect(changed.events.some((e) => e.ids.length > 1)).toBe(true);
    progress.stop();
    changed.stop();
  });

  it('bulk with idPrefix reports re-sent ids as duplicates', async () => {
    const progress = record(t.core, 'tasks.bulkProgress');
    const a = await t.call('tasks.publishBulk', { type: 'echo', payload: 1, count: 50, idPrefix: 'same' });
    await until(() => progress.events.find((p) => p.jobId === a.jobId && p.state === 'done'), 'first');
    const b = await t.call('tasks.publishBulk', { type: 'echo', payload: 1, count: 60, idPrefix: 'same' });
    const end = await until(
      () => progress.events.find((p) => p.jobId === b.jobId && p.state === 'done'),
      'second',
    );
    expect(end).toMatchObject({ acked: 60, duplicates: 50, failed: 0 });
    progress.stop();
  });

  it('respects a rate limit (200/s for 300 tasks takes at least ~1.5 s)', async () => {
    const progress = record(t.core, 'tasks.bulkProgress');
    const t0 = Date.now();
    const { jobId } = await t.call('tasks.publishBulk', {
      type: 'echo',
      payload: 1,
      count: 300,
      ratePerSec: 200,
    });
    const final = await until(
      () => progress.events.find((p) => p.jobId === jobId && p.state !== 'running'),
      'rate bulk',
      20_000,
    );
    const took = Date.now() - t0;
    expect(final.acked).toBe(300);
    // 300 tasks at 200/s: the last is due at 1.495 s.
    expect(took).toBeGreaterThanOrEqual(1450);
    // Mid-run progress shows the pace: never ahead of the schedule.
    for (const p of progress.events.filter((e) => e.jobId === jobId && e.state === 'running')) {
      expect(p.sent).toBeLessThanOrEqual(Math.ceil((p.elapsedMs / 1000) * 200) + 2);
    }
    progress.stop();
  });

  it('cancels a running bulk', async () => {
    const progress = record(t.core, 'tasks.bulkProgress');
    const { jobId } = await t.call('tasks.publishBulk', {
      type: 'echo',
      payload: 1,
      count: 10_000,
      ratePerSec: 500,
    });
    await until(() => progress.events.find((p) => p.jobId === jobId && p.sent > 20), 'some sent');
    await t.call('tasks.cancelBulk', { jobId });
    const final = await until(
      () => progress.events.find((p) => p.jobId === jobId && p.state !== 'running'),
      'cancelled',
    );
    expect(final.state).toBe('cancelled');
    expect(final.sent).toBeLessThan(10_000);
    expect(final.acked + final.failed).toBe(final.sent);
    const err = (await t.call('tasks.cancelBulk', { jobId: 'nope' }).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('not_found');
    progress.stop();
  });

  it('lists newest first with cursor paging and filters', async () => {
    const prefix = `page-${Date.now()}`;
    for (let i = 0; i < 7; i++)
      await t.call('tasks.publish', { type: 'pagetype', id: `${prefix}-${i}`, payload: i });
    const p1 = await t.call('tasks.list', { type: 'pagetype', limit: 3 });
    expect(p1.tasks.map((x) => x.id)).toEqual([`${prefix}-6`, `${prefix}-5`, `${prefix}-4`]);
    expect(p1.next).toBeDefined();
    const p2 = await t.call('tasks.list', { type: 'pagetype', limit: 3, cursor: p1.next });
    expect(p2.tasks.map((x) => x.id)).toEqual([`${prefix}-3`, `${prefix}-2`, `${prefix}-1`]);
    const p3 = await t.call('tasks.list', { type: 'pagetype', limit: 3, cursor: p2.next });
    expect(p3.tasks.map((x) => x.id)).toEqual([`${prefix}-0`]);
    expect(p3.next).toBeUndefined();
    const q = await t.call('tasks.list', { q: `${prefix}-5`, limit: 10 });
    expect(q.tasks.map((x) => x.id)).toEqual([`${prefix}-5`]);
    expect(p1.counts.total).toBeGreaterThan(5000);
  });
});

describe('publishing across a nats-server restart', () => {
  it('re-sends unacknowledged tasks with the same Nats-Msg-Id: every task stored exactly once', async () => {
    const server = await startServer();
    const t = makeTestCore();
    try {
      await t.connectTo(server.url);
      const progress = record(t.core, 'tasks.bulkProgress');
      const { jobId } = await t.call('tasks.publishBulk', {
        type: 'echo',
        payload: 1,
        count: 3000,
        ratePerSec: 1500,
        idPrefix: 'rs',
      });
      await until(() => progress.events.find((p) => p.jobId === jobId && p.acked > 300), 'some acked');
      await server.restart();
      const final = await until(
        () => progress.events.find((p) => p.jobId === jobId && p.state !== 'running'),
        'bulk end',
        40_000,
      );
      expect(final, JSON.stringify(final.errors)).toMatchObject({
        state: 'done',
        sent: 3000,
        acked: 3000,
        failed: 0,
      });
      const raw = await rawClient(server.url);
      try {
        expect(await streamMessages(raw.jsm, 'tasks.new')).toBe(3000);
      } finally {
        await raw.close();
      }
    } finally {
      await t.dispose();
      await server.dispose();
    }
  });
});
