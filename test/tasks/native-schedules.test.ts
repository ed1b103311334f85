import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { SCHEDULE_HEADERS, TASKS_STREAM, TASKS_STREAM_SUBJECTS } from '../../api/task-wire';
import { TaskEncoder } from '../../core/tasks/task-builder';
import { foldTask, parse, type HeaderLookup, type StreamRecord } from '../../core/tasks/state/record';
import {
  NATIVE_SCHEDULE_HEADERS,
  NATIVE_SCHEDULE_STREAM_SETTINGS,
  NATIVE_SCHEDULE_SUBJECTS,
  atSchedule,
  isNativeScheduleSubject,
  nativeScheduleSubject,
  scheduleMode,
  supportsNativeSchedules,
} from '../../nats/schedules';
import { diffStream, wantedStreamConfig } from '../../nats/topology';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, type TestServer } from '../harness/nats-server';
import { until } from './helpers';

/**
 * Native message schedules (nats-server 2.12, ADR-51). Only 2.9.10 runs here, so these cover the
 * detection and the message JetDeck would store for the server to release; the real server test
 * checks that 2.9 keeps JetDeck's own scheduled lane.
 */
const nativeConfig = {
  subjects: [...TASKS_STREAM_SUBJECTS, NATIVE_SCHEDULE_SUBJECTS],
  ...NATIVE_SCHEDULE_STREAM_SETTINGS,
};

describe('detection: server version and TASKS config', () => {
  it('needs nats-server 2.12 or newer', () => {
    for (const v of ['2.9.10', '2.10.22', '2.11.9', 'v2.11.0', '', 'nonsense', undefined])
      expect(supportsNativeSchedules(v), String(v)).toBe(false);
    for (const v of ['2.12.0', 'v2.12.1-RC.2', '2.14.0', '3.0.0'])
      expect(supportsNativeSchedules(v), v).toBe(true);
  });

  it('uses them only where TASKS allows them; otherwise says what is missing', () => {
    expect(scheduleMode('2.12.0', nativeConfig)).toEqual({ native: true });
    const old = scheduleMode('2.9.10', nativeConfig);
    expect(old.native).toBe(false);
    expect(!old.native && old.reason).toMatch(/2\.9\.10 has no message schedules \(2\.12\+\)/);
    const plain = scheduleMode('2.12.0', { subjects: [...TASKS_STREAM_SUBJECTS] });
    expect(!plain.native && plain.reason).toBe(
      'TASKS lacks allow_msg_schedules, allow_rollup_hdrs, subject tasks.scheduled.* for native schedules',
    );
    const denied = scheduleMode('2.12.0', { ...nativeConfig, deny_purge: true });
    expect(!denied.native && denied.reason).toMatch(/deny_purge off/);
    expect(scheduleMode('2.12.0', undefined).native).toBe(false);
  });

  it("the topology check takes the native subject as the operator's, not as a difference", () => {
    const current = { ...wantedStreamConfig(1), ...nativeConfig } as Parameters<typeof diffStream>[0];
    expect(diffStream(current, 1)).toEqual([]);
  });
});

describe('the message built for the native path', () => {
  it('one subject per task, a single token whatever the id', () => {
    expect(nativeScheduleSubject('t-1_A')).toBe('tasks.scheduled.t-1_A');
    const odd = nativeScheduleSubject('order 7.eu/*>');
    expect(odd).toMatch(/^tasks\.scheduled\.~[A-Za-z0-9_-]+$/);
    expect(isNativeScheduleSubject(odd)).toBe(true);
    expect(isNativeScheduleSubject('tasks.scheduled')).toBe(false);
    // Injective: an id that looks like an encoded one is encoded too.
    const ids = ['a', 'b', '~YQ', 'a.b', 'a b', 'ä', '~'];
    expect(new Set(ids.map(nativeScheduleSubject)).size).toBe(ids.length);
  });

  it('@at in RFC 3339 UTC, rounded up to the second (never early)', () => {
    expect(atSchedule(Date.parse('2026-12-01T09:00:00Z'))).toBe('@at 2026-12-01T09:00:00Z');
    expect(atSchedule(Date.parse('2026-12-01T09:00:00.001Z'))).toBe('@at 2026-12-01T09:00:01Z');
  });

  it('the encoder writes the schedule, its target lane and the task JSON with run_at', () => {
    const runAt = '2026-12-01T09:30:00.250Z';
    const input = { type: 'email', payload: { to: 'x' }, priority: 'high' as const, run_at: runAt };
    const native = new TaskEncoder(input, 1_048_576, { nativeSchedules: true }).encode('t1', runAt);
    expect(native.subject).toBe('tasks.scheduled.t1');
    expect(native.msgId).toBe('t1');
    expect(native.headers).toEqual({
      [NATIVE_SCHEDULE_HEADERS.schedule]: '@at 2026-12-01T09:30:01Z',
      [NATIVE_SCHEDULE_HEADERS.target]: 'tasks.high',
      [SCHEDULE_HEADERS.target]: 'tasks.high',
    });
    expect(JSON.parse(String(native.data))).toMatchObject({ id: 't1', type: 'email', run_at: runAt });
    // Typed lane, user headers kept.
    const typed = new TaskEncoder(
      { type: 'resize', payload: 1, route: 'typed', run_at: runAt, headers: { 'X-Trace': 'abc' } },
      1_048_576,
      { nativeSchedules: true },
    ).encode('t2', runAt);
    expect(typed.headers).toMatchObject({
      'X-Trace': 'abc',
      [NATIVE_SCHEDULE_HEADERS.target]: 'tasks.typed.resize',
    });
    // The lane path (2.9): one subject, no Nats-Schedule header.
    const lane = new TaskEncoder(input, 1_048_576, { nativeSchedules: false }).encode('t3', runAt);
    expect(lane.subject).toBe('tasks.scheduled');
    expect(lane.headers).toEqual({ [SCHEDULE_HEADERS.target]: 'tasks.high' });
    // A task with no run_at is never scheduled, native or not.
    const now = new TaskEncoder({ type: 'email', payload: 1 }, 1_048_576, { nativeSchedules: true });
    expect(now.encode('t4', runAt).subject).toBe('tasks.new');
  });

  it('the task state reads the native schedule as scheduled and the server-released copy as due', () => {
    const hdrs = (h: Record<string, string>): HeaderLookup => ({
      get: (k) => h[k] ?? '',
      keys: () => Object.keys(h),
    });
    const runAt = '2026-12-01T09:30:00Z';
    const body = new TextEncoder().encode(
      JSON.stringify({ id: 't1', type: 'email', payload: {}, created_at: runAt, run_at: runAt }),
    );
    const held: StreamRecord = {
      subject: 'tasks.scheduled.t1',
      seq: 10,
      time: '2026-12-01T09:00:00Z',
      data: body,
      headers: hdrs({ 'Nats-Msg-Id': 't1', [NATIVE_SCHEDULE_HEADERS.schedule]: `@at ${runAt}` }),
    };
    const p1 = parse(held);
    expect(p1).toMatchObject({ kind: 'task', id: 't1', scheduled: true });
    const rec = foldTask(undefined, p1 as Extract<typeof p1, { kind: 'task' }>, held);
    expect(rec).toMatchObject({ status: 'scheduled', run_at: runAt, subject: 'tasks.scheduled.t1' });
    // What the server publishes when due: the same body on the lane, no msg id, Nats-Scheduler set.
    const released: StreamRecord = {
      subject: 'tasks.high',
      seq: 11,
      time: '2026-12-01T09:30:00Z',
      data: body,
      headers: hdrs({
        [NATIVE_SCHEDULE_HEADERS.scheduler]: 'tasks.scheduled.t1',
        'Nats-Schedule-Next': 'purge',
      }),
    };
    const p2 = parse(released);
    expect(p2).toMatchObject({ kind: 'task', id: 't1', released: true });
    const after = foldTask(rec, p2 as Extract<typeof p2, { kind: 'task' }>, released);
    expect(after).toMatchObject({ status: 'pending', subject: 'tasks.high', seq: 11 });
    expect(after.timeline.at(-1)).toMatchObject({ note: 'released: due', subject: 'tasks.high' });
  });
});

describe('on nats-server 2.9.10 (here)', () => {
  let server: TestServer;
  let t: TestCore;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startServer();
    t = makeTestCore();
    await t.connectTo(server.url);
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await t?.dispose();
    await server?.dispose();
  });

  it("detects no native schedules and keeps JetDeck's scheduled lane", async () => {
    const jsm = await jetstreamManager(nc);
    // TASKS exists once the core is connected.
    const cfg = (await jsm.streams.info(TASKS_STREAM)).config;
    const mode = scheduleMode(nc.info?.version, cfg);
    expect(mode.native).toBe(false);
    expect(!mode.native && mode.reason).toContain(`nats-server ${nc.info?.version} has no message schedules`);
    const r = await t.call('tasks.publish', { type: 'echo', payload: 1, delay: '1h' });
    expect(r.subject).toBe('tasks.scheduled');
    const stored = await jsm.streams.getMessage(TASKS_STREAM, { seq: r.seq });
    expect(stored?.header?.get(NATIVE_SCHEDULE_HEADERS.schedule) ?? '').toBe('');
    expect(stored?.header?.get(SCHEDULE_HEADERS.target)).toBe('tasks.new');
    await t.call('tasks.cancel', { id: r.task.id });
  });

  it('a held native schedule is scheduled in the state and the counts; cancel purges it at once', async () => {
    // What a 2.12 server would hold, stored here as a plain message (2.9 ignores Nats-Schedule).
    const jsm = await jetstreamManager(nc);
    const si = await jsm.streams.info(TASKS_STREAM);
    await jsm.streams.update(TASKS_STREAM, { subjects: [...si.config.subjects, NATIVE_SCHEDULE_SUBJECTS] });
    const before = (await t.call('tasks.list', { limit: 1 })).counts.scheduled;
    const runAt = new Date(Date.now() + 3600_000).toISOString();
    const task = {
      id: 'native-1',
      type: 'echo',
      payload: {},
      created_at: new Date().toISOString(),
      run_at: runAt,
    };
    const enc = new TaskEncoder(task, 1_048_576, { nativeSchedules: true });
    const msg = enc.encode(task.id, task.created_at);
    const h = headers();
    for (const [k, v] of Object.entries(msg.headers ?? {})) h.set(k, v);
    h.set('Nats-Msg-Id', msg.msgId ?? task.id);
    await jetstream(nc).publish(msg.subject, String(msg.data), { headers: h });
    const held = await until(
      async () => {
        const d = await t.call('tasks.get', { id: 'native-1' }).catch(() => undefined);
        return d?.status === 'scheduled' ? d : undefined;
      },
      'the native schedule in the task state',
      10_000,
    );
    expect(held).toMatchObject({ subject: 'tasks.scheduled.native-1', run_at: runAt });
    await until(
      async () => (await t.call('tasks.list', { limit: 1 })).counts.scheduled === before + 1,
      'counted as scheduled',
      10_000,
    );
    await t.call('tasks.cancel', { id: 'native-1' });
    // Purged: nothing left for the server to fire, and the count drops at once.
    const left = await jsm.streams.info(TASKS_STREAM, { subjects_filter: 'tasks.scheduled.*' });
    expect(left.state.subjects ?? {}).toEqual({});
    await until(
      async () => (await t.call('tasks.list', { limit: 1 })).counts.scheduled === before,
      'no longer counted',
      10_000,
    );
    expect((await t.call('tasks.get', { id: 'native-1' })).status).toBe('cancelled');
  });
});
