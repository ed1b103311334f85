import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TailBatch } from '../../api/features/messages';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { jobDone, publishMany, seeder, unb64, until, type Seeder } from './helpers';

let server: TestServer;
let t: TestCore;
let s: Seeder;
const dir = mkdtempSync(join(tmpdir(), 'jetdeck-replay-'));

beforeAll(async () => {
  server = await startServer();
  t = makeTestCore();
  await t.connectTo(server.url);
  s = await seeder(server.url);
  await s.jsm.streams.add({ name: 'SRC', subjects: ['src.>'] });
  await s.jsm.streams.add({ name: 'DST', subjects: ['replayed.>'] });
  await publishMany(
    s,
    200,
    (i) => (i % 4 === 0 ? 'src.a' : 'src.b'),
    (i) => `msg ${i + 1}`,
  );
});
afterAll(async () => {
  await s?.close();
  await t?.dispose();
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('replay', () => {
  it('dry run counts a range with a subject filter and gives first/last', async () => {
    const r = await t.call('replay.dryRun', {
      source: { stream: 'SRC', fromSeq: 11, toSeq: 60, subject: 'src.a' },
      target: { kind: 'subject', subject: 'replayed.>', from: 'src.>' },
    });
    // src.a are seqs 1, 5, 9, ...: within 11..60 → 13, 17, ..., 57
    expect(r.count).toBe(12);
    expect(r.first?.seq).toBe(13);
    expect(r.last?.seq).toBe(57);
    expect(r.sampleTarget).toBe('replayed.a');
    const sel = await t.call('replay.dryRun', { source: { stream: 'SRC', seqs: [1, 2, 999] } });
    expect(sel.count).toBe(2);
    expect(sel.missing).toEqual([999]);
  });

  it('replays a range to a mapped subject with JetDeck-Replay-Of headers', async () => {
    const job = await t.call('replay.start', {
      source: { stream: 'SRC', fromSeq: 1, toSeq: 100 },
      target: { kind: 'subject', subject: 'replayed.>', from: 'src.>' },
    });
    expect(job.total).toBe(100);
    const done = await jobDone(t.core, job.jobId);
    expect(done).toMatchObject({ state: 'done', sent: 100, failed: 0, duplicates: 0 });
    const dst = await s.jsm.streams.info('DST');
    expect(dst.state.messages).toBe(100);
    const m = await s.jsm.streams.getMessage('DST', { seq: 1 });
    expect(m?.subject).toBe('replayed.a');
    expect(m?.header.get('JetDeck-Replay-Of')).toBe('SRC:1');
    expect(m?.string()).toBe('msg 1');
  });

  it('paces at N per second (loosely)', async () => {
    const job = await t.call('replay.start', {
      source: { stream: 'SRC', fromSeq: 101, toSeq: 130 },
      target: { kind: 'subject', subject: 'replayed.paced' },
      rate: { mode: 'perSecond', perSecond: 100 },
    });
    const done = await jobDone(t.core, job.jobId);
    expect(done.sent).toBe(30);
    // 30 messages at 100/s take ~290 ms; allow generous slack on a busy machine.
    expect(done.durationMs).toBeGreaterThanOrEqual(250);
    expect(done.durationMs).toBeLessThan(3000);
  });

  it('gives replayed tasks fresh ids so deduplication keeps them', async () => {
    // The tasks feature may already have created TASKS (tasks.new etc.); use whichever stream
    // captures tasks.new, else make one with a duplicate window.
    const stream = await s.jsm.streams.find('tasks.new').catch(async () => {
      await s.jsm.streams.add({
        name: 'TASKS_T',
        subjects: ['tasks.new'],
        duplicate_window: 120_000_000_000,
      });
      return 'TASKS_T';
    });
    const id = `task-${Date.now()}`;
    const task = { id, type: 'email', payload: { to: 'a@b' }, created_at: new Date().toISOString() };
    const seq = await s.publish('tasks.new', JSON.stringify(task), id);
    // The same id again is dropped by dedup: what a naive replay would run into.
    expect(await s.publish('tasks.new', JSON.stringify(task), id)).toBe(seq);

    const job = await t.call('replay.start', { source: { stream, seqs: [seq] } });
    const done = await jobDone(t.core, job.jobId);
    expect(done).toMatchObject({ sent: 1, duplicates: 0, failed: 0 });
    const replayed = await s.jsm.streams.getMessage(stream, { last_by_subj: 'tasks.new' });
    const body = replayed!.json<{ id: string; type: string; metadata: Record<string, string> }>();
    expect(replayed!.seq).toBeGreaterThan(seq);
    expect(body.id).not.toBe(id);
    expect(body.type).toBe('email');
    expect(body.metadata).toMatchObject({ replay_of: id, retry_of: id });
    expect(replayed!.header.get('Nats-Msg-Id')).toBe(body.id);
    expect(replayed!.header.get('JetDeck-Replay-Of')).toBe(`${stream}:${seq}`);

    // Non-task messages that carried a Nats-Msg-Id get a fresh one too, linked to the old.
    await s.jsm.streams.add({ name: 'PLAIN', subjects: ['plain.>'], duplicate_window: 120_000_000_000 });
    const pseq = await s.publish('plain.x', 'not a task', 'plain-1');
    const pjob = await t.call('replay.start', { source: { stream: 'PLAIN', seqs: [pseq] } });
    expect(await jobDone(t.core, pjob.jobId)).toMatchObject({ sent: 1, duplicates: 0 });
    const plain = await s.jsm.streams.getMessage('PLAIN', { seq: pseq + 1 });
    expect(plain!.header.get('Nats-Msg-Id')).not.toBe('plain-1');
    expect(plain!.header.get('JetDeck-Replay-Msg-Id')).toBe('plain-1');
    expect(plain!.string()).toBe('not a task');
  });

  it('faithful copy: bytes and headers as stored, the original Nats-Msg-Id moved so dedup keeps it', async () => {
    await s.jsm.streams.add({ name: 'FAITH', subjects: ['faith.>'], duplicate_window: 120_000_000_000 });
    // A task-shaped body on purpose: a faithful copy must not rewrite it (re-run would).
    const body = JSON.stringify({
      id: 'f-1',
      type: 'email',
      payload: { n: 1 },
      created_at: '2026-11-30T10:00:00Z',
    });
    const h = headers();
    h.append('Nats-Msg-Id', 'f-1');
    h.append('X-Trace', 'abc');
    h.append('X-Trace', 'def');
    h.append('Nats-Expected-Last-Sequence', '0');
    const first = await jetstream(s.nc).publish('faith.in', body, { headers: h });

    const dry = await t.call('replay.dryRun', {
      source: { stream: 'FAITH', seqs: [first.seq] },
      mode: 'faithful',
    });
    expect(dry.count).toBe(1);
    const job = await t.call('replay.start', {
      source: { stream: 'FAITH', seqs: [first.seq] },
      mode: 'faithful',
    });
    expect(await jobDone(t.core, job.jobId)).toMatchObject({ sent: 1, duplicates: 0, failed: 0 });
    const copy = await s.jsm.streams.getMessage('FAITH', { seq: first.seq + 1 });
    expect(copy!.subject).toBe('faith.in');
    expect(copy!.string()).toBe(body);
    expect(copy!.header.get('Nats-Msg-Id')).toBe('');
    expect(copy!.header.get('JetDeck-Replay-Msg-Id')).toBe('f-1');
    expect(copy!.header.values('X-Trace')).toEqual(['abc', 'def']);
    // Headers asserting the stream's old state would fail the publish; no JetDeck-Replay-Of either.
    expect(copy!.header.has('Nats-Expected-Last-Sequence')).toBe(false);
    expect(copy!.header.has('JetDeck-Replay-Of')).toBe(false);

    // The same message re-run (not a task subject, so the body stays): a fresh Nats-Msg-Id and Replay-Of.
    const rerun = await t.call('replay.start', {
      source: { stream: 'FAITH', seqs: [first.seq] },
      mode: 'rerun',
    });
    expect(await jobDone(t.core, rerun.jobId)).toMatchObject({ sent: 1, duplicates: 0 });
    const again = await s.jsm.streams.getMessage('FAITH', { seq: first.seq + 2 });
    expect(again!.string()).toBe(body);
    expect(again!.header.get('JetDeck-Replay-Of')).toBe(`FAITH:${first.seq}`);
    expect(again!.header.get('Nats-Msg-Id')).toMatch(/^f-1\.replay\./);
    expect(
      await t
        .call('replay.dryRun', { source: { stream: 'FAITH', seqs: [1] }, mode: 'other' as never })
        .catch((e: Error) => e.message),
    ).toMatch(/mode/);
  });

  it('counts failures when no stream captures the target and can be cancelled', async () => {
    const job = await t.call('replay.start', {
      source: { stream: 'SRC', fromSeq: 1, toSeq: 3 },
      target: { kind: 'subject', subject: 'nowhere.x' },
    });
    const done = await jobDone(t.core, job.jobId);
    expect(done.failed).toBe(3);
    expect(done.errors[0].message).toMatch(/no responders|no stream/i);
    const slow = await t.call('replay.start', {
      source: { stream: 'SRC' },
      target: { kind: 'subject', subject: 'replayed.slow' },
      rate: { mode: 'perSecond', perSecond: 20 },
    });
    await t.call('replay.cancel', { jobId: slow.jobId });
    const c = await jobDone(t.core, slow.jobId);
    expect(c.state).toBe('cancelled');
    expect(c.sent).toBeLessThan(200);
  });

  it('rejects a mapping with more wildcards than the source', async () => {
    await expect(
      t.call('replay.dryRun', {
        source: { stream: 'SRC' },
        target: { kind: 'subject', subject: 'x.*.*', from: 'src.*' },
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('export and import', () => {
  it('round-trips a range through JSON Lines, as content and as a file', async () => {
    await s.jsm.streams.add({ name: 'EXP', subjects: ['exp.>'] });
    await s.publish('exp.json', JSON.stringify({ a: 1 }), 'id-1');
    await s.publish('exp.bin', new Uint8Array([0, 159, 146, 150]));
    const exp = await t.call('messages.export', { source: { stream: 'EXP' } });
    expect(exp.count).toBe(2);
    const lines = exp.content
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({
      subject: 'exp.json',
      seq: 1,
      data: '{"a":1}',
      headers: { 'Nats-Msg-Id': ['id-1'] },
    });
    expect(lines[1].data_b64).toBe(Buffer.from([0, 159, 146, 150]).toString('base64'));

    // Files live in the data folder's exports/ and imports/: the API names them, never a path.
    const toFile = await t.call('messages.exportToFile', { source: { stream: 'EXP' }, file: 'exp.jsonl' });
    expect(toFile.count).toBe(2);
    expect(toFile.path).toBe(join(t.core.dataDir, 'exports', 'exp.jsonl'));
    expect(readFileSync(toFile.path, 'utf8')).toBe(exp.content);

    await s.jsm.streams.add({ name: 'IMP', subjects: ['imp.>'] });
    copyFileSync(toFile.path, join(t.core.dataDir, 'imports', 'exp.jsonl'));
    const job = await t.call('messages.import', {
      file: 'exp.jsonl',
      target: { kind: 'subject', subject: 'imp.>', from: 'exp.>' },
    });
    const done = await jobDone(t.core, job.jobId);
    expect(done).toMatchObject({ kind: 'import', sent: 2, failed: 0 });
    const m1 = await s.jsm.streams.getMessage('IMP', { seq: 1 });
    expect(m1?.subject).toBe('imp.json');
    expect(m1?.json()).toEqual({ a: 1 });
    expect(m1?.header.get('Nats-Msg-Id')).toBe('id-1');
    const m2 = await s.jsm.streams.getMessage('IMP', { seq: 2 });
    expect([...m2!.data]).toEqual([0, 159, 146, 150]);
  });

  it('reports invalid lines with their numbers and publishes nothing', async () => {
    const content = [
      '{"subject":"imp.ok","data":"x"}',
      'not json',
      '{"subject":"imp.*","data":"x"}',
      '',
      '{"data":"no subject"}',
    ].join('\n');
    const err = await t.call('messages.import', { content }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_input' });
    expect((err as Error).message).toMatch(/line 2: not JSON/);
    expect((err as Error).message).toMatch(/line 3: subject/);
    expect((err as Error).message).toMatch(/line 5/);
    expect((await s.jsm.streams.info('IMP')).state.messages).toBe(2);
  });
});

describe('live tail', () => {
  it('delivers new messages in batches, never one event per message', async () => {
    const batches: TailBatch[] = [];
    const off = t.core.bus.on('messages.tail', (b) => batches.push(b));
    const tail = await t.call('messages.tail.start', { stream: 'SRC', subject: 'src.tail' });
    expect(tail.mode).toBe('ordered_consumer');
    await until(
      () => t.call('consumers.list', { stream: 'SRC' }),
      (r) => r.consumers.length > 0,
    );
    await publishMany(
      s,
      500,
      () => 'src.tail',
      (i) => `t${i}`,
    );
    await until(
      () => batches.reduce((n, b) => n + b.messages.length, 0),
      (n) => n === 500,
    );
    expect(batches.length).toBeLessThan(100);
    expect(batches.flatMap((b) => b.messages.map((m) => unb64(m.data)))[499]).toBe('t499');
    await t.call('messages.tail.stop', { tailId: tail.tailId });
    off();
  });

  it('reports dropped messages when the bounded buffer overflows while paused (core subscription on WorkQueue)', async () => {
    await s.jsm.streams.add({ name: 'WQT', subjects: ['wqt.>'], retention: 'workqueue' as never });
    const batches: TailBatch[] = [];
    const off = t.core.bus.on('messages.tail', (b) => batches.push(b));
    const tail = await t.call('messages.tail.start', { stream: 'WQT', bufferSize: 10 });
    expect(tail.mode).toBe('core_subscription');
    await t.call('messages.tail.pause', { tailId: tail.tailId });
    await publishMany(
      s,
      50,
      (i) => `wqt.${i}`,
      (i) => `w${i}`,
    );
    await s.nc.flush();
    const resumed = await t.call('messages.tail.resume', { tailId: tail.tailId });
    expect(resumed.state).toBe('running');
    const mine = await until(
      () => batches.filter((b) => b.tailId === tail.tailId),
      (b) => b.length > 0,
    );
    expect(mine[0].messages).toHaveLength(10);
    expect(mine[0].dropped).toBe(40);
    expect(unb64(mine[0].messages[9].data)).toBe('w49');
    expect((await s.jsm.streams.info('WQT')).state.messages).toBe(50);
    await t.call('messages.tail.stop', { tailId: tail.tailId });
    off();
  });
});
