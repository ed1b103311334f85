import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASKS_STREAM } from '../../api/task-wire';
import { makeTestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { connectTo, makeTask, prepareTopology, publishMany } from '../workers/helpers';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'jetdeck.mjs');

let server: TestServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let dir: string;

/** Runs the real CLI (no NATS_* or nats context from the test's own environment). */
function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NATS_')));
  const p = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...env, XDG_CONFIG_HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (b: Buffer) => (out += b.toString()));
  p.stderr.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((r) => p.once('exit', (code) => r({ code, out, err })));
}

beforeAll(async () => {
  server = await startServer();
  nc = await connectTo(server.url);
  jsm = await jetstreamManager(nc);
  dir = mkdtempSync(join(tmpdir(), 'jetdeck-backup-'));
});
afterAll(async () => {
  await nc?.close();
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('jetdeck stream backup / restore', () => {
  it('backs up TASKS with live tasks; after delete + restore the tasks and consumers are back with their sequences', async () => {
    await prepareTopology(nc);
    const js = jetstream(nc);
    const tasks = Array.from({ length: 300 }, (_, i) => makeTask('echo', { i }));
    await publishMany(js, tasks);
    // Live consumer state: 40 delivered and acked, 10 delivered and left unacked.
    const c = await js.consumers.get(TASKS_STREAM, 'task-workers');
    const batch = await c.fetch({ max_messages: 50, expires: 5000 });
    let n = 0;
    for await (const m of batch) {
      if (n++ < 40) await m.ackAck();
    }
    const before = await jsm.streams.info(TASKS_STREAM);
    const consumerBefore = await jsm.consumers.info(TASKS_STREAM, 'task-workers');
    expect(before.state.messages).toBe(300);
    expect(consumerBefore.ack_floor.stream_seq).toBe(40);
    expect(consumerBefore.num_ack_pending).toBe(10);

    const target = join(dir, 'tasks-backup');
    const b = await cli(['stream', 'backup', TASKS_STREAM, target, '-s', server.url]);
    expect(b.code, b.err).toBe(0);
    expect(b.out).toMatch(/TASKS: 300 messages \(last sequence 300\), \d+ consumers/);
    expect(b.err).toMatch(/backup TASKS: \d+ bytes, \d+ chunks.*done/);
    // The layout `nats stream backup` writes.
    const meta = JSON.parse(readFileSync(join(target, 'backup.json'), 'utf8')) as {
      config: { name: string; subjects: string[] };
      state: { messages: number; last_seq: number };
    };
    expect(meta.config.name).toBe(TASKS_STREAM);
    expect(meta.state).toMatchObject({ messages: 300, last_seq: 300 });
    expect(existsSync(join(target, 'stream.tar.s2'))).toBe(true);

    await jsm.streams.delete(TASKS_STREAM);
    await expect(jsm.streams.info(TASKS_STREAM)).rejects.toThrow(/not found/);

    const r = await cli(['stream', 'restore', target, '--server', server.url]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/restore TASKS: .*done/);

    const after = await jsm.streams.info(TASKS_STREAM);
    expect(after.state).toMatchObject({
      messages: 300,
      first_seq: before.state.first_seq,
      last_seq: before.state.last_seq,
      consumer_count: before.state.consumer_count,
    });
    const consumerAfter = await jsm.consumers.info(TASKS_STREAM, 'task-workers');
    expect(consumerAfter.ack_floor.stream_seq).toBe(40);
    expect(consumerAfter.delivered.stream_seq).toBe(consumerBefore.delivered.stream_seq);
    expect(consumerAfter.num_pending).toBe(consumerBefore.num_pending);
    // Message 7 is the same task at the same sequence.
    const m7 = await jsm.streams.getMessage(TASKS_STREAM, { seq: 7 });
    expect((m7?.json() as { id: string }).id).toBe(tasks[6].id);
    // A task published after the restore continues the sequence.
    const ack = await js.publish('tasks.new', JSON.stringify(makeTask('echo', {})));
    expect(ack.seq).toBe(301);
  });

  it('refuses a folder that is not a backup and a stream that already exists, with the reason', async () => {
    const notBackup = await cli(['stream', 'restore', dir, '-s', server.url]);
    expect(notBackup.code).toBe(1);
    expect(notBackup.err).toMatch(/is not a stream backup \(needs backup\.json and stream\.tar\.s2\)/);
    const exists = await cli(['stream', 'restore', join(dir, 'tasks-backup'), '-s', server.url]);
    expect(exists.code).toBe(1);
    expect(exists.err).toMatch(/already in use|exists/i);
    const missing = await cli(['stream', 'backup', 'NOPE', join(dir, 'nope'), '-s', server.url]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/stream not found/i);
  });

  it('streams.backup / backups / restore: only under the data folder, with progress events', async () => {
    const t = makeTestCore();
    try {
      await t.connectTo(server.url);
      const progress: { op: string; name: string; done: boolean }[] = [];
      t.core.bus.on('streams.backupProgress', (p) => progress.push(p));
      const before = await jsm.streams.info(TASKS_STREAM);
      const b = await t.call('streams.backup', { stream: TASKS_STREAM, name: 'nightly' });
      expect(b).toMatchObject({ name: 'nightly', stream: TASKS_STREAM, messages: before.state.messages });
      expect(existsSync(join(t.dataDir, 'backups', 'nightly', 'backup.json'))).toBe(true);
      expect(progress.some((p) => p.op === 'backup' && p.name === 'nightly' && p.done)).toBe(true);
      const list = await t.call('streams.backups');
      expect(list.dir).toBe(join(t.dataDir, 'backups'));
      expect(list.backups.map((x) => x.name)).toEqual(['nightly']);
      await expect(t.call('streams.backup', { stream: TASKS_STREAM, name: 'nightly' })).rejects.toThrow(
        /already exists/,
      );
      // No paths: a name is one folder under backups/.
      for (const name of ['../../etc', '/tmp/x', '.hidden'])
        await expect(t.call('streams.restore', { name })).rejects.toMatchObject({ code: 'invalid_input' });

      await jsm.streams.delete(TASKS_STREAM);
      const r = await t.call('streams.restore', { name: 'nightly' });
      expect(r).toMatchObject({ stream: TASKS_STREAM, lastSeq: before.state.last_seq });
      expect(progress.some((p) => p.op === 'restore' && p.done)).toBe(true);
      expect((await jsm.streams.info(TASKS_STREAM)).state.last_seq).toBe(before.state.last_seq);
    } finally {
      await t.dispose();
    }
  });
});
