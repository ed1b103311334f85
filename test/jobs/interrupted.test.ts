import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS_BUCKET, type JobRecord } from '../../api/features/jobs';
import { recordEvents } from '../harness/events';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';

/** A bulk publish cut short by SIGKILL leaves a record; the next core reports it, with how far it got. */

let server: TestServer;
let nc: NatsConnection;
const dirs: string[] = [];
const cores: TestCore[] = [];

beforeAll(async () => {
  server = await startServer();
  nc = await connect({ servers: server.url });
});
afterAll(async () => {
  for (const c of cores) await c.dispose();
  await nc?.close();
  await stopAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Polls the bucket until a record satisfies `pred` (bounded by the test timeout). */
async function recordWhere(pred: (r: JobRecord) => boolean): Promise<JobRecord> {
  for (;;) {
    try {
      const kv = await new Kvm(nc).open(JOBS_BUCKET);
      for await (const k of await kv.keys()) {
        const e = await kv.get(k);
        const r = e?.operation === 'PUT' ? e.json<JobRecord>() : undefined;
        if (r && pred(r)) return r;
      }
    } catch {
      /* the bucket does not exist yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('interrupted bulk jobs', () => {
  it('a bulk publish killed with SIGKILL is shown as interrupted, with its progress, by the next core', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-child-'));
    dirs.push(dataDir);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'bulk-child.ts'), server.url, dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, sig) => r(sig)));

    // Mid-way: the record says a few thousand tasks were confirmed.
    const before = await recordWhere(
      (r) => r.kind === 'bulk' && r.state === 'running' && r.confirmed >= 3000,
    );
    expect(before.pid).toBe(child.pid);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(out).toContain('started');

    const t = makeTestCore();
    cores.push(t);
    const events = recordEvents(t.core.bus, 'jobs.interrupted');
    await t.connectTo(server.url);
    const ev = await events.waitFor((p) => p.jobs.some((j) => j.id === before.id));
    const rec = ev.jobs.find((j) => j.id === before.id)!;
    expect(rec).toMatchObject({ kind: 'bulk', state: 'interrupted', total: 1_000_000, pid: child.pid });
    expect(rec.summary).toContain('1,000,000 × echo');
    // How far it got: at least what we saw, far from the end, and really in the stream.
    expect(rec.confirmed).toBeGreaterThanOrEqual(before.confirmed);
    expect(rec.confirmed).toBeLessThan(1_000_000);
    const jsm = await jetstreamManager(nc);
    const si = await jsm.streams.info('TASKS', { subjects_filter: 'tasks.new' });
    expect(si.state.subjects?.['tasks.new'] ?? 0).toBeGreaterThanOrEqual(rec.confirmed);

    // The same through the contract, and the record is written back as interrupted.
    const listed = await t.call('jobs.list', { state: 'interrupted' });
    expect(listed.jobs.map((j) => j.id)).toContain(before.id);
    expect((await recordWhere((r) => r.id === before.id)).state).toBe('interrupted');

    // Dismissed, it is gone.
    expect(await t.call('jobs.dismiss', { id: before.id })).toEqual({ dismissed: true });
    expect((await t.call('jobs.list')).jobs.map((j) => j.id)).not.toContain(before.id);
  });

  it('records a finished bulk publish as done, and refuses to dismiss a running one', async () => {
    const t = makeTestCore();
    cores.push(t);
    await t.connectTo(server.url);
    const { jobId } = await t.call('tasks.publishBulk', { type: 'echo', payload: {}, count: 500 });
    const done = await recordWhere((r) => r.id === jobId && r.state === 'done');
    expect(done).toMatchObject({ kind: 'bulk', total: 500, confirmed: 500, sent: 500, failed: 0 });

    const slow = await t.call('tasks.publishBulk', {
      type: 'echo',
      payload: {},
      count: 100_000,
      ratePerSec: 100,
    });
    await recordWhere((r) => r.id === slow.jobId);
    await expect(t.call('jobs.dismiss', { id: slow.jobId })).rejects.toThrow(/still running/);
    await t.call('tasks.cancelBulk', { jobId: slow.jobId });
    expect((await recordWhere((r) => r.id === slow.jobId && r.state !== 'running')).state).toBe('cancelled');
    // Nothing of ours is reported interrupted.
    const interrupted = await t.call('jobs.list', { state: 'interrupted' });
    expect(interrupted.jobs.map((j) => j.id)).not.toContain(slow.jobId);
  });

  it('records replays and imports with their outcome', async () => {
    const t = makeTestCore();
    cores.push(t);
    await t.connectTo(server.url);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'RSRC', subjects: ['rsrc.>'] });
    await jsm.streams.add({ name: 'RDST', subjects: ['rdst.>'] });
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    for (let i = 0; i < 5; i++) await js.publish('rsrc.a', new TextEncoder().encode(String(i)));
    const replay = await t.call('replay.start', {
      source: { stream: 'RSRC', fromSeq: 1, toSeq: 5 },
      target: { kind: 'subject', subject: 'rdst.copy' },
    });
    const r = await recordWhere((x) => x.id === replay.jobId && x.state !== 'running');
    expect(r).toMatchObject({ kind: 'replay', state: 'done', total: 5, confirmed: 5, failed: 0 });
    expect(r.summary).toBe('replay RSRC 1–5 → rdst.copy');
    const imp = await t.call('messages.import', {
      content: '{"subject":"rdst.imp","data":"aGk="}\n',
      target: { kind: 'original' },
    });
    const i = await recordWhere((x) => x.id === imp.jobId && x.state !== 'running');
    expect(i).toMatchObject({ kind: 'import', state: 'done', total: 1, confirmed: 1 });
  });
});
