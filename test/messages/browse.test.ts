import { describe, expect, it } from 'vitest';
import type { TestCore } from '../harness/core';
import { publishMany, sharedSeededCore, unb64, type Seeder } from './helpers';

let t: TestCore;
let s: Seeder;

sharedSeededCore(async (env) => {
  ({ t, s } = env);
  await s.jsm.streams.add({ name: 'L', subjects: ['l.>'] });
  // 1000 messages: odd seqs on l.a, even on l.b.x; seqs 10 and 11 deleted (a gap).
  await publishMany(
    s,
    1000,
    (i) => (i % 2 === 0 ? 'l.a' : 'l.b.x'),
    (i) => JSON.stringify({ i: i + 1 }),
  );
  await s.jsm.streams.deleteMessage('L', 10);
  await s.jsm.streams.deleteMessage('L', 11);
});

const seqs = (p: { messages: { seq: number }[] }) => p.messages.map((m) => m.seq);

describe('message browser on a Limits stream', () => {
  it('pages forward from the first message, skipping deleted sequences', async () => {
    const p = await t.call('messages.page', { stream: 'L', pageSize: 100 });
    expect(p.method).toBe('ordered_consumer');
    expect(p.first).toBe(1);
    expect(p.messages).toHaveLength(100);
    expect(seqs(p)).not.toContain(10);
    expect(p.last).toBe(102);
    expect(p.hasPrev).toBe(false);
    expect(p.hasNext).toBe(true);
    expect(p.total).toBe(998);
    expect(p.messages[0].contentType).toBe('json');
    expect(JSON.parse(unb64(p.messages[0].data))).toEqual({ i: 1 });

    const next = await t.call('messages.page', {
      stream: 'L',
      pageSize: 100,
      start: { kind: 'cursor', cursor: p.nextCursor! },
    });
    expect(next.first).toBe(103);
    expect(next.hasPrev).toBe(true);
    const back = await t.call('messages.page', {
      stream: 'L',
      pageSize: 100,
      start: { kind: 'cursor', cursor: next.prevCursor! },
    });
    expect(seqs(back)).toEqual(seqs(p));
    expect(back.hasPrev).toBe(false);
  });

  it('opens at the last page and pages backward', async () => {
    const p = await t.call('messages.page', { stream: 'L', pageSize: 50, start: { kind: 'last' } });
    expect(p.last).toBe(1000);
    expect(p.first).toBe(951);
    expect(p.hasNext).toBe(false);
    expect(p.hasPrev).toBe(true);
    const prev = await t.call('messages.page', {
      stream: 'L',
      pageSize: 50,
      start: { kind: 'cursor', cursor: p.prevCursor! },
    });
    expect(prev.first).toBe(901);
    expect(prev.last).toBe(950);
    expect(prev.hasNext).toBe(true);
  });

  it('opens in the middle at a sequence and walks back across the gap', async () => {
    const mid = await t.call('messages.page', {
      stream: 'L',
      pageSize: 20,
      start: { kind: 'seq', seq: 500 },
    });
    expect(mid.first).toBe(500);
    expect(mid.last).toBe(519);
    const nearGap = await t.call('messages.page', {
      stream: 'L',
      pageSize: 10,
      start: { kind: 'cursor', cursor: 'b15' },
    });
    expect(seqs(nearGap)).toEqual([3, 4, 5, 6, 7, 8, 9, 12, 13, 14]);
    expect(nearGap.hasPrev).toBe(true);
  });

  it('filters by subject with wildcards, both directions', async () => {
    const a = await t.call('messages.page', { stream: 'L', subject: 'l.a', pageSize: 10 });
    expect(a.messages.every((m) => m.subject === 'l.a')).toBe(true);
    expect(seqs(a)).toEqual([1, 3, 5, 7, 9, 13, 15, 17, 19, 21]);
    expect(a.total).toBe(499);
    const b = await t.call('messages.page', {
      stream: 'L',
      subject: 'l.*.x',
      pageSize: 5,
      start: { kind: 'last' },
    });
    expect(seqs(b)).toEqual([992, 994, 996, 998, 1000]);
    expect(b.total).toBe(499);
    const gt = await t.call('messages.page', { stream: 'L', subject: 'l.>', pageSize: 5 });
    expect(gt.messages).toHaveLength(5);
    const none = await t.call('messages.page', {
      stream: 'L',
      subject: 'nothing.here',
      pageSize: 5,
      start: { kind: 'last' },
    });
    expect(none.messages).toHaveLength(0);
    expect(none.hasPrev).toBe(false);
  });

  it('seeks by time', async () => {
    await s.jsm.streams.add({ name: 'T', subjects: ['t.>'] });
    for (let i = 0; i < 5; i++) await s.publish('t.x', `early ${i}`);
    await new Promise((r) => setTimeout(r, 30)); // a time boundary between the two batches
    const boundary = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 5; i++) await s.publish('t.x', `late ${i}`);
    const p = await t.call('messages.page', {
      stream: 'T',
      start: { kind: 'time', time: new Date(boundary).toISOString() },
    });
    expect(p.first).toBe(6);
    expect(unb64(p.messages[0].data)).toBe('late 0');
    expect(p.hasPrev).toBe(true);
    const beyond = await t.call('messages.page', {
      stream: 'T',
      start: { kind: 'time', time: Date.now() + 60_000 },
    });
    expect(beyond.messages).toHaveLength(0);
  });

  it('gets one message in full, truncates previews, guesses content types and deletes', async () => {
    await s.jsm.streams.add({ name: 'P', subjects: ['p.>'] });
    await s.publish('p.big', 'x'.repeat(10_000));
    await s.publish('p.bin', new Uint8Array([0, 1, 2, 255]));
    await s.publish('p.text', 'hello');
    const page = await t.call('messages.page', { stream: 'P', previewBytes: 100 });
    expect(page.messages[0]).toMatchObject({ size: 10_000, truncated: true, contentType: 'text' });
    expect(Buffer.from(page.messages[0].data, 'base64')).toHaveLength(100);
    expect(page.messages[1].contentType).toBe('binary');
    const full = await t.call('messages.get', { stream: 'P', seq: 1 });
    expect(full.truncated).toBe(false);
    expect(unb64(full.data)).toHaveLength(10_000);
    expect((await t.call('messages.delete', { stream: 'P', seq: 3 })).deleted).toBe(true);
    await expect(t.call('messages.get', { stream: 'P', seq: 3 })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('rejects bad input with clear errors', async () => {
    await expect(t.call('messages.page', { stream: 'L', pageSize: 501 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(t.call('messages.page', { stream: 'L', subject: 'a.>.b' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(t.call('messages.page', { stream: 'NOPE' })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('browsing never disturbs WorkQueue and Interest streams', () => {
  it('reads a WorkQueue stream with message get and consumes nothing', async () => {
    await s.jsm.streams.add({ name: 'WQ', subjects: ['wq.>'], retention: 'workqueue' as never });
    await s.jsm.consumers.add('WQ', { durable_name: 'workers', ack_policy: 'explicit' as never });
    await publishMany(
      s,
      300,
      (i) => `wq.${i % 3}`,
      (i) => `job ${i}`,
    );
    const before = await s.jsm.streams.info('WQ');
    const ciBefore = await s.jsm.consumers.info('WQ', 'workers');

    const first = await t.call('messages.page', { stream: 'WQ', pageSize: 100 });
    expect(first.method).toBe('msg_get');
    expect(seqs(first)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const next = await t.call('messages.page', {
      stream: 'WQ',
      pageSize: 100,
      start: { kind: 'cursor', cursor: first.nextCursor! },
    });
    expect(next.first).toBe(101);
    const last = await t.call('messages.page', { stream: 'WQ', pageSize: 100, start: { kind: 'last' } });
    expect(last.last).toBe(300);
    const filtered = await t.call('messages.page', {
      stream: 'WQ',
      subject: 'wq.1',
      pageSize: 10,
      start: { kind: 'last' },
    });
    expect(filtered.messages.every((m) => m.subject === 'wq.1')).toBe(true);
    expect(filtered.last).toBe(299);
    const byTime = await t.call('messages.page', { stream: 'WQ', start: { kind: 'time', time: 0 } });
    expect(byTime.first).toBe(1);

    const after = await s.jsm.streams.info('WQ');
    const ciAfter = await s.jsm.consumers.info('WQ', 'workers');
    expect(after.state.messages).toBe(before.state.messages);
    expect(after.state.consumer_count).toBe(before.state.consumer_count);
    expect(ciAfter.num_pending).toBe(ciBefore.num_pending);
    expect(ciAfter.delivered.stream_seq).toBe(ciBefore.delivered.stream_seq);
  });

  it('reads an Interest stream with direct get when allowed and changes nothing', async () => {
    await s.jsm.streams.add({
      name: 'IN',
      subjects: ['in.>'],
      retention: 'interest' as never,
      allow_direct: true,
    });
    await s.jsm.consumers.add('IN', { durable_name: 'c1', ack_policy: 'explicit' as never });
    await publishMany(
      s,
      120,
      () => 'in.x',
      (i) => `m${i}`,
    );
    const before = await s.jsm.streams.info('IN');
    const p = await t.call('messages.page', { stream: 'IN', pageSize: 100 });
    expect(p.method).toBe('direct_get');
    expect(p.messages).toHaveLength(100);
    expect(p.messages[0].headers).toBeUndefined();
    await t.call('messages.page', { stream: 'IN', pageSize: 100, start: { kind: 'last' } });
    const after = await s.jsm.streams.info('IN');
    expect(after.state.messages).toBe(before.state.messages);
    expect(after.state.consumer_count).toBe(1);
    expect((await s.jsm.consumers.info('IN', 'c1')).num_pending).toBe(120);
  });
});
