import { afterEach, describe, expect, it } from 'vitest';
import { DiscardPolicy } from '@nats-io/jetstream';
import type { ApiError } from '../../api/errors';
import { startServe, type ServeHandle } from '../../core/serve/server';
import { NO_STREAM_GRACE_MS } from '../../core/tasks/pub-ack-window';
import { wantedStreamConfig } from '../../nats/topology';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, type TestServer } from '../harness/nats-server';
import { rawClient, record, streamMessages, until } from './helpers';

/**
 * Limits that cannot drop work: settings of TASKS that delete undelivered tasks are flagged and
 * explained; a full stream (discard new) is a clear, final publish error everywhere.
 */
describe('TASKS limits', () => {
  let server: TestServer | undefined;
  let t: TestCore | undefined;
  let serve: ServeHandle | undefined;
  let raw: Awaited<ReturnType<typeof rawClient>> | undefined;

  afterEach(async () => {
    await serve?.close();
    await t?.dispose();
    await raw?.close();
    await server?.dispose();
    serve = t = raw = server = undefined;
  });

  async function setUp(extra: Record<string, unknown>): Promise<TestCore> {
    server = await startServer();
    raw = await rawClient(server.url);
    if (Object.keys(extra).length) await raw.jsm.streams.add({ ...wantedStreamConfig(1), ...extra });
    t = makeTestCore();
    await t.connectTo(server.url);
    return t;
  }

  it('creates TASKS with discard new and no risk', async () => {
    const core = await setUp({});
    const report = await core.call('tasks.topology');
    expect(report).toMatchObject({ state: 'ok', risks: [] });
    expect((await raw!.jsm.streams.info('TASKS')).config.discard).toBe(DiscardPolicy.New);
  });

  it('flags discard old with max_msgs: accepted tasks are deleted undelivered; apply makes it discard new', async () => {
    const core = await setUp({ max_msgs: 50, discard: DiscardPolicy.Old });
    const report = await core.call('tasks.topology');
    expect(report.risks.map((r) => r.code)).toEqual(['discard_old_limits']);
    expect(report.risks[0].message).toMatch(/deletes its oldest messages .* tasks no worker has run yet/);
    expect(report.risks[0].settings).toMatchObject({ discard: 'old', max_msgs: 50 });
    expect(report.diff.find((d) => d.path === 'stream.discard')).toMatchObject({
      current: 'old',
      wanted: 'new',
      updatable: true,
    });
    // What the flag is about: 200 publishes acknowledged, 150 of them gone before any worker ran.
    const progress = record(core.core, 'tasks.bulkProgress');
    const { jobId } = await core.call('tasks.publishBulk', { type: 'echo', payload: 1, count: 200 });
    const final = await until(
      () => progress.events.find((p) => p.jobId === jobId && p.state !== 'running'),
      'bulk',
    );
    expect(final).toMatchObject({ state: 'done', acked: 200, failed: 0 });
    expect(await streamMessages(raw!.jsm)).toBe(50);

    const applied = await core.call('tasks.applyTopology', { confirm: true });
    expect(applied.updated).toContain('stream.discard');
    expect(applied.report).toMatchObject({ state: 'ok', risks: [] });
  });

  it('flags a per-subject limit (all waiting tasks share tasks.new)', async () => {
    const core = await setUp({ max_msgs_per_subject: 10 });
    const report = await core.call('tasks.topology');
    expect(report.state).toBe('at_risk');
    expect(report.risks.map((r) => r.code)).toEqual(['per_subject_limit']);
    expect(report.risks[0].message).toMatch(/deletes the oldest\s+waiting one/);
  });

  it('a full stream with discard new: REST 507 with the server words, contract stream_full, bulk counts it failed', async () => {
    const core = await setUp({ max_msgs: 5, discard: DiscardPolicy.New });
    expect((await core.call('tasks.topology')).risks).toEqual([]);
    serve = await startServe(core.core, { port: 0, token: 'limits-test-token-0123456789-abcdefghijkLMN' });
    const post = (id: string) =>
      fetch(`${serve!.url}/api/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${serve!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'echo', payload: 1, id }),
      });
    for (let i = 1; i <= 5; i++) expect((await post(`fits-${i}`)).status).toBe(201);
    const started = Date.now();
    const full = await post('too-many');
    expect(full.status).toBe(507);
    const body = (await full.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'stream_full' });
    expect(body.error.message).toMatch(/maximum messages exceeded/);
    // Final at once, not retried as "JetStream unavailable" until the grace period ran out.
    expect(Date.now() - started).toBeLessThan(NO_STREAM_GRACE_MS);

    const err = (await core
      .call('tasks.publish', { type: 'echo', payload: 2 })
      .catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('stream_full');

    const progress = record(core.core, 'tasks.bulkProgress');
    const { jobId } = await core.call('tasks.publishBulk', { type: 'echo', payload: 1, count: 100 });
    const final = await until(
      () => progress.events.find((p) => p.jobId === jobId && p.state !== 'running'),
      'bulk',
    );
    expect(final.state).toBe('error');
    expect(final.acked).toBe(0);
    expect(final.failed).toBeGreaterThan(0);
    expect(final.acked + final.failed).toBe(final.sent);
    expect(final.error).toMatch(/maximum messages exceeded/);
    expect(await streamMessages(raw!.jsm)).toBe(5);
  });
});
