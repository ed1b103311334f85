import { describe, expect, it } from 'vitest';
import type { TestCore } from '../harness/core';
import { publishMany, sharedSeededCore, type Seeder } from '../messages/helpers';

let t: TestCore;
let s: Seeder;

sharedSeededCore(async (env) => {
  ({ t, s } = env);
});

describe('streams', () => {
  it('creates, lists, searches, sorts and shows detail with per-subject counts', async () => {
    await t.call('streams.create', { config: { name: 'ORDERS', subjects: ['orders.>'], storage: 'memory' } });
    await t.call('streams.create', {
      config: { name: 'EVENTS', subjects: ['events.*'], retention: 'interest' },
    });
    await publishMany(
      s,
      30,
      (i) => `orders.${i % 3}`,
      () => 'x',
    );
    const list = await t.call('streams.list', { search: 'order' });
    expect(list.streams.map((x) => x.name)).toEqual(['ORDERS']);
    expect(list.streams[0]).toMatchObject({
      messages: 30,
      firstSeq: 1,
      lastSeq: 30,
      storage: 'memory',
      retention: 'limits',
      replicas: 1,
      consumers: 0,
    });
    expect(list.streams[0].lastTime).toMatch(/^\d{4}-/);
    const bySubject = await t.call('streams.list', { search: 'events.' });
    expect(bySubject.streams.map((x) => x.name)).toEqual(['EVENTS']);
    const sorted = await t.call('streams.list', { sort: 'messages' });
    expect(sorted.streams[0].name).toBe('ORDERS');
    expect(sorted.accountTotal).toBeGreaterThanOrEqual(2);

    const d = await t.call('streams.info', { name: 'ORDERS', subjectsFilter: 'orders.1' });
    expect(d.subjects_counts).toMatchObject({ filter: 'orders.1', counts: { 'orders.1': 10 }, total: 10 });
    expect(d.config.subjects).toEqual(['orders.>']);
    expect(d.capabilities.features.consumerPause.supported).toBe(false);
    expect(d.capabilities.features.consumerPause.reason).toMatch(/2\.11/);
    expect(d.sources).toEqual([]);
  });

  it('diffs an edit field by field before updating', async () => {
    const diff = await t.call('streams.diff', {
      config: { name: 'ORDERS', max_msgs: 1000, description: 'orders', storage: 'file' },
    });
    const byPath = Object.fromEntries(diff.changes.map((c) => [c.path, c]));
    expect(byPath.max_msgs).toMatchObject({ kind: 'changed', before: -1, after: 1000 });
    expect(byPath.description).toMatchObject({ kind: 'added', after: 'orders' });
    expect(byPath.storage).toMatchObject({ immutable: true });
    expect(diff.problems.join()).toMatch(/storage cannot be changed/);
    // Nothing was applied by the diff.
    expect((await t.call('streams.info', { name: 'ORDERS' })).config.max_msgs).toBe(-1);

    const updated = await t.call('streams.update', {
      config: { name: 'ORDERS', max_msgs: 1000, description: 'orders' },
    });
    expect(updated.config).toMatchObject({ max_msgs: 1000, description: 'orders', subjects: ['orders.>'] });
    await expect(
      t.call('streams.update', { config: { name: 'ORDERS', storage: 'file' } }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/storage/i),
    });
  });

  it('rejects invalid configs with a zod message or the server message, and version-gated fields by version', async () => {
    await expect(t.call('streams.create', { config: { name: 'bad name' } })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/config.name: name may not contain/),
    });
    await expect(
      t.call('streams.create', { config: { name: 'X', subjects: ['a.>.b'] } }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    // Valid JSON for zod, refused by the server: subjects overlapping ORDERS.
    await expect(
      t.call('streams.create', { config: { name: 'DUP', subjects: ['orders.1'] } }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/overlap/),
    });
    await expect(
      t.call('streams.create', { config: { name: 'META', subjects: ['meta.>'], metadata: { a: 'b' } } }),
    ).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringMatching(/metadata.*2\.10/),
    });
  });

  it('purges all, by subject, up to a sequence and keeping N', async () => {
    await t.call('streams.create', { config: { name: 'PURGE', subjects: ['pg.>'] } });
    const fill = () =>
      publishMany(
        s,
        40,
        (i) => (i % 2 ? 'pg.odd' : 'pg.even'),
        () => 'x',
      );
    await fill();
    expect((await t.call('streams.purge', { name: 'PURGE', mode: 'keep', keep: 30 })).purged).toBe(10);
    expect((await t.call('streams.info', { name: 'PURGE' })).messages).toBe(30);
    expect(
      (await t.call('streams.purge', { name: 'PURGE', mode: 'subject', subject: 'pg.odd' })).purged,
    ).toBe(15);
    expect((await t.call('streams.info', { name: 'PURGE' })).messages).toBe(15);
    expect((await t.call('streams.purge', { name: 'PURGE', mode: 'all' })).purged).toBe(15);
    expect((await t.call('streams.info', { name: 'PURGE' })).messages).toBe(0);
    await fill();
    const info = await t.call('streams.info', { name: 'PURGE' });
    const r = await t.call('streams.purge', { name: 'PURGE', mode: 'upToSeq', seq: info.firstSeq + 10 });
    expect(r.purged).toBe(10);
    expect((await t.call('streams.info', { name: 'PURGE' })).firstSeq).toBe(info.firstSeq + 10);
  });

  it('deletes only with the exact name confirmed', async () => {
    await t.call('streams.create', { config: { name: 'GONE', subjects: ['gone.>'] } });
    await expect(t.call('streams.delete', { name: 'GONE', confirmName: 'gone' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect((await t.call('streams.info', { name: 'GONE' })).name).toBe('GONE');
    expect(await t.call('streams.delete', { name: 'GONE', confirmName: 'GONE' })).toEqual({ deleted: true });
    await expect(t.call('streams.info', { name: 'GONE' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('samples message rates while watched', async () => {
    const w = await t.call('streams.watch', {});
    const rates: Record<string, number>[] = [];
    const off = t.core.bus.on('streams.rates', (e) => rates.push(e.rates));
    await publishMany(
      s,
      10,
      () => 'orders.1',
      () => 'x',
    );
    const deadline = Date.now() + 15_000;
    while (!rates.some((r) => 'ORDERS' in r) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    off();
    expect(rates.some((r) => 'ORDERS' in r)).toBe(true);
    const list = await t.call('streams.list', { search: 'ORDERS' });
    expect(list.streams[0].rate.length).toBeGreaterThan(0);
    expect(await t.call('streams.unwatch', { watchId: w.watchId })).toEqual({ stopped: true });
  });
});

describe('consumers', () => {
  it('creates, edits, lists with state sorted by lag, and deletes', async () => {
    await t.call('streams.create', { config: { name: 'JOBS', subjects: ['jobs.>'] } });
    await publishMany(
      s,
      25,
      () => 'jobs.a',
      () => 'x',
    );
    const c1 = await t.call('consumers.create', {
      stream: 'JOBS',
      config: { durable_name: 'slow', ack_policy: 'explicit', filter_subject: 'jobs.a', max_deliver: 5 },
    });
    expect(c1).toMatchObject({
      name: 'slow',
      durable: true,
      kind: 'pull',
      numPending: 25,
      lag: 25,
      numAckPending: 0,
      filterSubjects: ['jobs.a'],
    });
    await t.call('consumers.create', {
      stream: 'JOBS',
      config: { durable_name: 'fast', ack_policy: 'explicit', deliver_policy: 'last' },
    });
    await t.call('consumers.create', {
      stream: 'ORDERS',
      config: { durable_name: 'other', ack_policy: 'none' },
    });

    const edited = await t.call('consumers.update', {
      stream: 'JOBS',
      name: 'slow',
      config: { max_deliver: 9, description: 'edited' },
    });
    expect(edited.config).toMatchObject({ max_deliver: 9, description: 'edited', filter_subject: 'jobs.a' });

    const byLag = await t.call('consumers.list', { stream: 'JOBS', sort: 'lag' });
    expect(byLag.consumers.map((c) => c.name)).toEqual(['slow', 'fast']);
    expect(byLag.capabilities.pause).toMatchObject({ supported: false, minVersion: '2.11.0' });
    expect(byLag.capabilities.reset.supported).toBe(false);
    const all = await t.call('consumers.list', {});
    expect(all.consumers.map((c) => `${c.stream}/${c.name}`)).toEqual(
      expect.arrayContaining(['JOBS/slow', 'JOBS/fast', 'ORDERS/other']),
    );

    const info = await t.call('consumers.info', { stream: 'JOBS', name: 'fast' });
    expect(info.numPending).toBe(1);
    await expect(
      t.call('consumers.pause', { stream: 'JOBS', name: 'fast', until: Date.now() + 60_000 }),
    ).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringMatching(/2\.11/),
    });
    await expect(
      t.call('consumers.create', {
        stream: 'JOBS',
        config: { ack_policy: 'explicit', filter_subjects: ['jobs.a', 'jobs.b'] },
      }),
    ).rejects.toMatchObject({
      code: 'unsupported',
    });
    await expect(
      t.call('consumers.create', {
        stream: 'JOBS',
        config: { durable_name: 'x', deliver_policy: 'by_start_sequence' },
      }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/opt_start_seq/),
    });
    expect(await t.call('consumers.delete', { stream: 'JOBS', name: 'fast' })).toEqual({ deleted: true });
    await expect(t.call('consumers.info', { stream: 'JOBS', name: 'fast' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
