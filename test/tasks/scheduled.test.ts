import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { ApiError } from '../../api/errors';
import { delayMs, publishInputSchema } from '../../api/features/tasks';
import { SCHEDULE_HEADERS, TASKS_STREAM, TASK_SCHEDULER_CONSUMER } from '../../api/task-wire';
import { builtinHandlers } from '../../worker/handlers/builtin';
import { WorkerRuntime } from '../../worker/runtime';
import { ackSubject, decide } from '../../worker/scheduled/releaser';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, type TestServer } from '../harness/nats-server';
import { streamMessages, until } from './helpers';

const enc = new TextEncoder();
const noCancel = () => false;

describe('scheduled lane: the rules (pure)', () => {
  it('delay texts and numbers', () => {
    expect(delayMs(1500)).toBe(1500);
    expect(delayMs('90s')).toBe(90_000);
    expect(delayMs('1h30m')).toBe(5_400_000);
    expect(delayMs('250ms')).toBe(250);
    expect(delayMs('5 minutes')).toBeUndefined();
    expect(delayMs(-1)).toBeUndefined();
    expect(delayMs(1.5)).toBeUndefined();
  });

  it('the schema refuses both, bad texts and times too far ahead', () => {
    const bad = (v: object) => publishInputSchema.safeParse({ type: 'echo', ...v }).success;
    expect(bad({ delay: '5m' })).toBe(true);
    expect(bad({ run_at: '2026-12-01T09:00:00Z' })).toBe(true);
    expect(bad({ delay: '5m', run_at: '2026-12-01T09:00:00Z' })).toBe(false);
    expect(bad({ delay: '5 min' })).toBe(false);
    expect(bad({ run_at: 'tomorrow' })).toBe(false);
    expect(bad({ delay: '7d' })).toBe(false);
    expect(bad({ run_at: new Date(Date.now() + 8 * 86_400_000).toISOString() })).toBe(false);
  });

  it('waits until run_at, then releases to the named lane, else by priority; drops cancelled', () => {
    const body = (o: object) => enc.encode(JSON.stringify({ id: 't1', type: 'echo', payload: null, ...o }));
    const h = (target?: string) => ({
      get: (k: string) => (k === SCHEDULE_HEADERS.target ? (target ?? '') : ''),
    });
    const now = Date.parse('2026-12-01T09:00:00Z');
    expect(decide(body({ run_at: '2026-12-01T09:00:05Z' }), h(), 1, now, noCancel)).toEqual({
      kind: 'wait',
      ms: 5000,
      id: 't1',
    });
    // A cancelled task is dropped when seen, not only once it is due.
    expect(decide(body({ run_at: '2026-12-01T09:00:05Z' }), h(), 1, now, (id) => id === 't1')).toEqual({
      kind: 'drop',
      id: 't1',
    });
    expect(decide(body({ run_at: '2026-12-01T09:00:00Z' }), h(), 1, now, noCancel)).toEqual({
      kind: 'release',
      id: 't1',
      target: 'tasks.new',
    });
    expect(decide(body({ priority: 'high' }), h(), 1, now, noCancel)).toMatchObject({ target: 'tasks.high' });
    expect(decide(body({}), h('tasks.typed.resize'), 1, now, noCancel)).toMatchObject({
      target: 'tasks.typed.resize',
    });
    // Not a lane: the default one, never an arbitrary subject.
    expect(decide(body({}), h('tasks.status.completed'), 1, now, noCancel)).toMatchObject({
      target: 'tasks.new',
    });
    expect(decide(enc.encode('not json'), undefined, 7, now, noCancel)).toEqual({
      kind: 'release',
      id: 'seq:7',
      target: 'tasks.new',
    });
    expect(decide(body({}), h(), 1, now, (id) => id === 't1')).toEqual({ kind: 'drop', id: 't1' });
  });

  it("builds a delivery's ack subject from its public delivery info (the short form only)", () => {
    const di = {
      domain: '',
      stream: 'TASKS',
      consumer: 'task-scheduler',
      deliveryCount: 2,
      streamSequence: 41,
      deliverySequence: 97,
      timestampNanos: 1_764_540_000_000_000_000,
      pending: 3,
      redelivered: true,
    };
    expect(ackSubject(di)).toBe('$JS.ACK.TASKS.task-scheduler.2.41.97.1764540000000000000.3');
    // The long form (domain, account hash, a random token) cannot be rebuilt: no early ack.
    expect(ackSubject({ ...di, domain: 'hub', account_hash: 'ABC' })).toBeUndefined();
    expect(ackSubject({ ...di, streamSequence: NaN })).toBeUndefined();
  });
});

/** Against a real server: the core publishes, releasers (core and worker runtime) release. */
describe('scheduled lane on nats-server (no native schedules)', () => {
  let server: TestServer;
  let t: TestCore;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let worker: WorkerRuntime | undefined;

  const status = async (id: string) => (await t.call('tasks.get', { id })).status;
  /** Lane messages stored for this id (the released copy carries `<id>:released`). */
  const laneCopies = async (id: string, subject = 'tasks.>') => {
    let n = 0;
    const js = jetstream(nc);
    const c = await js.consumers.get(TASKS_STREAM, { filter_subjects: subject });
    const info = await c.info(true);
    let left = info.num_pending;
    while (left > 0) {
      const b = await c.fetch({ max_messages: Math.min(left, 500), expires: 2000 });
      for await (const m of b) {
        left--;
        if (m.headers?.get('Nats-Msg-Id') === `${id}:released`) n++;
      }
    }
    return n;
  };
  const scheduler = () => jsm.consumers.info(TASKS_STREAM, TASK_SCHEDULER_CONSUMER);

  beforeAll(async () => {
    server = await startServer();
    t = makeTestCore();
    await t.connectTo(server.url);
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    worker = new WorkerRuntime({ nc, name: 'w-sched', concurrency: 4, handlers: builtinHandlers });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await nc?.close();
    await t?.dispose();
    await server?.dispose();
  });

  it('POST-shaped input with delay: scheduled, released once when due, then run', async () => {
    const before = Date.now();
    const deliveriesBefore = (await scheduler()).delivered.consumer_seq;
    const r = await t.call('tasks.publish', { type: 'echo', payload: { at: 'later' }, delay: 1200 });
    expect(r.subject).toBe('tasks.scheduled');
    const runAt = Date.parse(r.task.run_at ?? '');
    expect(runAt).toBeGreaterThanOrEqual(before + 1200);
    const d = await t.call('tasks.get', { id: r.task.id });
    expect(d.status).toBe('scheduled');
    expect(d.run_at).toBe(r.task.run_at);
    expect((await t.call('tasks.list', { status: 'scheduled' })).tasks.map((x) => x.id)).toContain(r.task.id);
    await until(async () => (await status(r.task.id)) === 'completed', 'completed after release', 20_000);
    const done = await t.call('tasks.get', { id: r.task.id });
    const release = done.timeline.find((e) => e.note === 'released: due');
    expect(release?.subject).toBe('tasks.new');
    // Released no earlier than run_at (the stream's own timestamp of the lane message).
    expect(Date.parse(release?.at ?? '')).toBeGreaterThanOrEqual(runAt);
    expect(done.result).toEqual({ at: 'later' });
    expect(await laneCopies(r.task.id)).toBe(1);
    // The consumer holds nothing for it any more. Two deliveries: one nak'ed with the time
    // left, one when the server's timer fired. No polling in between.
    const ci = await until(async () => {
      const c = await scheduler();
      return c.num_ack_pending === 0 && c.num_pending === 0 ? c : undefined;
    }, 'scheduler drained');
    expect(ci.delivered.consumer_seq - deliveriesBefore).toBe(2);
  });

  it('cancel before due: cancelled at once, never released, never run', async () => {
    const r = await t.call('tasks.publish', { type: 'echo', payload: 1, delay: '2s', id: 'sched-cancel-1' });
    const s = await t.call('tasks.cancel', { id: r.task.id });
    expect(s.status).toBe('cancelled');
    expect((await t.call('tasks.list', { status: 'scheduled' })).tasks.map((x) => x.id)).not.toContain(
      r.task.id,
    );
    // Wait until the lane has seen it fall due and dropped it (acked, nothing pending).
    await until(
      async () => {
        const c = await scheduler();
        return c.ack_floor.stream_seq >= r.seq && c.num_ack_pending === 0;
      },
      'due and dropped',
      20_000,
    );
    expect(await laneCopies(r.task.id)).toBe(0);
    const d = await t.call('tasks.get', { id: r.task.id });
    expect(d.status).toBe('cancelled');
    expect(d.attempts).toBe(0);
  });

  it('a cancelled task leaves counts.scheduled at once, long before it would fall due', async () => {
    const scheduledCount = async () => (await t.call('tasks.list', { limit: 1 })).counts.scheduled;
    const r = await t.call('tasks.publish', {
      type: 'echo',
      payload: 1,
      delay: '1h',
      id: 'sched-cancel-now',
    });
    // Seen by a releaser and nak'ed until due: it waits in the consumer's timer, counted as scheduled.
    await until(
      async () => {
        const c = await scheduler();
        return c.delivered.stream_seq >= r.seq && c.num_ack_pending >= 1;
      },
      'held in the server timer',
      20_000,
    );
    await until(async () => (await scheduledCount()) >= 1, 'counted as scheduled', 10_000);
    const before = await scheduledCount();
    await t.call('tasks.cancel', { id: r.task.id });
    // The process that deferred it acks it on the cancel: nothing left pending, the count drops.
    await until(
      async () => {
        const c = await scheduler();
        return c.ack_floor.stream_seq >= r.seq && c.num_ack_pending === 0;
      },
      'acked on the cancel',
      10_000,
    );
    await until(async () => (await scheduledCount()) === before - 1, 'counts.scheduled down by one', 10_000);
    expect(await laneCopies(r.task.id)).toBe(0);
    expect((await t.call('tasks.get', { id: r.task.id })).status).toBe('cancelled');
  });

  it('a Go-style producer: raw publish to tasks.scheduled with run_at and a target lane', async () => {
    const id = 'go-sched-1';
    const h = headers();
    h.set('Nats-Msg-Id', id);
    h.set(SCHEDULE_HEADERS.target, 'tasks.high');
    const body = {
      id,
      type: 'echo',
      payload: { from: 'go' },
      created_at: new Date().toISOString(),
      run_at: new Date(Date.now() + 800).toISOString(),
    };
    const pa = await jetstream(nc).publish('tasks.scheduled', JSON.stringify(body), { headers: h });
    await until(async () => (await t.call('tasks.get', { id }).catch(() => undefined))?.status, 'indexed');
    await until(async () => (await status(id)) === 'completed', 'completed', 20_000);
    const d = await t.call('tasks.get', { id });
    expect(d.subject).toBe('tasks.high');
    expect(d.seq).toBeGreaterThan(pa.seq);
    expect(await laneCopies(id, 'tasks.high')).toBe(1);
  });

  it('survives the publishing process and a server restart: released by whoever is up', async () => {
    // Only the worker runtime releases from here on: the core that published is gone.
    const r = await t.call('tasks.publish', { type: 'echo', payload: 'survivor', delay: '3s' });
    await until(async () => (await scheduler()).num_ack_pending >= 1, 'held by the server timer');
    await t.dispose();
    await worker?.stop();
    await server.restart();
    // A fresh core only to read the state afterwards; the release can come from either.
    t = makeTestCore();
    await t.connectTo(server.url);
    worker = await until(
      async () => {
        const w = new WorkerRuntime({ nc, name: 'w-sched-2', concurrency: 4, handlers: builtinHandlers });
        return w.start().then(
          () => w,
          () => w.stop().then(() => undefined),
        );
      },
      'worker started after restart',
      30_000,
    );
    await until(
      async () =>
        (await t.call('tasks.get', { id: r.task.id }).catch(() => undefined))?.status === 'completed',
      'completed after restart',
      30_000,
    );
    expect(await laneCopies(r.task.id)).toBe(1);
    expect(await streamMessages(jsm, 'tasks.status.completed')).toBeGreaterThanOrEqual(3);
  });
});

describe('scheduled lane: bad input is a 400 and publishes nothing', () => {
  let server: TestServer;
  let t: TestCore;
  beforeAll(async () => {
    server = await startServer();
    t = makeTestCore();
    await t.connectTo(server.url);
  });
  afterAll(async () => {
    await t?.dispose();
    await server?.dispose();
  });

  it('both run_at and delay, a bad delay text', async () => {
    const code = async (input: object) =>
      (
        (await t
          .call('tasks.publish', { type: 'echo', ...input } as never)
          .catch((e: unknown) => e)) as ApiError
      ).code;
    expect(await code({ delay: '5m', run_at: new Date().toISOString() })).toBe('invalid_input');
    expect(await code({ delay: 'soon' })).toBe('invalid_input');
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    expect(await streamMessages(jsm, 'tasks.>')).toBe(0);
    await nc.close();
  });
});

describe('scheduled lane on a TASKS made before it existed', () => {
  let server: TestServer;
  let t: TestCore;
  beforeAll(async () => {
    server = await startServer();
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({
      name: 'TASKS',
      subjects: ['tasks.new', 'tasks.high', 'tasks.typed.*', 'tasks.status.*', 'tasks.delete'],
    });
    await nc.close();
    t = makeTestCore();
    await t.connectTo(server.url);
  });
  afterAll(async () => {
    await t?.dispose();
    await server?.dispose();
  });

  it('refuses a scheduled publish with a 409 that says what to do; Apply adds the subject', async () => {
    const err = (await t
      .call('tasks.publish', { type: 'echo', delay: '1s' })
      .catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/tasks\.scheduled.*apply the topology/);
    const applied = await t.call('tasks.applyTopology', { confirm: true });
    expect(applied.updated).toContain('stream.subjects');
    const r = await t.call('tasks.publish', { type: 'echo', delay: '1s' });
    expect(r.subject).toBe('tasks.scheduled');
  });
});
