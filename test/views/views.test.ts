import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../../core/serve/server';
import { makeTestCore, type TestCore } from '../harness/core';
import { codeOf, rest, sharedCore, startWorker, type TestWorker } from '../harness/fixtures';
import type { TestServer } from '../harness/nats-server';
import { pollUntil } from '../harness/poll';

let server: TestServer;
let t: TestCore;

sharedCore((env) => {
  ({ server, t } = env);
});

describe('saved views in the jetdeck_views bucket', () => {
  it('lists none before any is saved, without creating the bucket', async () => {
    expect(await t.call('views.list')).toEqual({ views: [] });
    expect(await codeOf(t.call('views.get', { screen: 'tasks', name: 'x' }))).toBe('not_found');
    expect(await codeOf(t.call('kv.info', { bucket: 'jetdeck_views' }))).toBe('not_found');
  });

  it('saves, lists by screen, overwrites only the revision read, and deletes', async () => {
    const v = await t.call('views.save', {
      view: { screen: 'tasks', name: 'failed-emails', filter: { status: 'failed', type: 'email' } },
      expectRevision: 0,
    });
    expect(v).toMatchObject({
      screen: 'tasks',
      name: 'failed-emails',
      filter: { status: 'failed', type: 'email' },
    });
    await t.call('views.save', { view: { screen: 'deadLetters', name: 'boom', filter: { q: 'ord-' } } });
    await t.call('views.save', {
      view: { screen: 'messages', name: 'eu-orders', filter: { stream: 'ORDERS', subject: 'orders.eu.>' } },
    });
    expect((await t.call('views.list', { screen: 'tasks' })).views.map((x) => x.name)).toEqual([
      'failed-emails',
    ]);
    expect((await t.call('views.list')).views.map((x) => `${x.screen}.${x.name}`)).toEqual([
      'deadLetters.boom',
      'messages.eu-orders',
      'tasks.failed-emails',
    ]);
    // The same name is a different view on another screen; a second create of one is a conflict.
    expect(
      await codeOf(
        t.call('views.save', {
          view: { screen: 'tasks', name: 'failed-emails', filter: {} },
          expectRevision: 0,
        }),
      ),
    ).toBe('conflict');
    const v2 = await t.call('views.save', {
      view: {
        screen: 'tasks',
        name: 'failed-emails',
        filter: { status: 'failed' },
        description: 'all failed',
      },
      expectRevision: v.revision,
    });
    expect(
      await codeOf(
        t.call('views.save', {
          view: { screen: 'tasks', name: 'failed-emails', filter: {} },
          expectRevision: v.revision,
        }),
      ),
    ).toBe('conflict');
    expect(await t.call('views.get', { screen: 'tasks', name: 'failed-emails' })).toMatchObject({
      filter: { status: 'failed' },
      description: 'all failed',
      revision: v2.revision,
    });
    expect(await t.call('views.delete', { screen: 'tasks', name: 'failed-emails' })).toEqual({
      deleted: true,
    });
    expect(await t.call('views.delete', { screen: 'tasks', name: 'failed-emails' })).toEqual({
      deleted: false,
    });
    expect(await codeOf(t.call('views.get', { screen: 'tasks', name: 'failed-emails' }))).toBe('not_found');
  });

  it("checks a view's filter with the screen's own schema", async () => {
    for (const view of [
      { screen: 'tasks', name: 'bad', filter: { status: 'exploded' } },
      { screen: 'tasks', name: 'has space', filter: {} },
      { screen: 'deadLetters', name: 'fp', filter: { fingerprint: 'nothex' } },
      { screen: 'messages', name: 'nostream', filter: { subject: 'a.>' } },
      { screen: 'messages', name: 'badsubj', filter: { stream: 'S', subject: 'a.>.b' } },
      { screen: 'monitor', name: 'x', filter: {} },
    ]) {
      expect(await codeOf(t.call('views.save', { view } as never)), JSON.stringify(view)).toBe(
        'invalid_input',
      );
    }
  });

  it('is shared: another JetDeck on the same account sees what this one saved', async () => {
    const other = makeTestCore();
    try {
      await other.connectTo(server.url);
      await t.call('views.save', { view: { screen: 'tasks', name: 'team', filter: { type: 'report' } } });
      expect(await other.call('views.get', { screen: 'tasks', name: 'team' })).toMatchObject({
        filter: { type: 'report' },
      });
    } finally {
      await other.dispose();
    }
  });
});

describe('?view= on the REST API', () => {
  let serve: ServeHandle;
  let worker: TestWorker;
  const get = (path: string) => rest(serve, 'GET', path);
  const types = (body: Record<string, unknown>) =>
    [...new Set((body.tasks as { type: string }[]).map((x) => x.type))].sort();

  beforeAll(async () => {
    serve = await startServe(t.core, { port: 0, token: 'views-test-token-0123456789-abcdefghijkLMN' });
    worker = await startWorker(server.url, { name: 'w-views', concurrency: 2, backoffMs: [20, 20] });
  });
  afterAll(async () => {
    await worker?.stop();
    await serve?.close();
  });

  it('GET /api/tasks applies the view; parameters beside it win; an unknown view is 404, a bad name 400', async () => {
    await t.call('tasks.publish', { type: 'echo', payload: 1 });
    await t.call('tasks.publish', { type: 'sleep', payload: { ms: 1 } });
    await pollUntil(async () => types((await get('/api/tasks')).body), {
      what: 'both types listed',
      ok: (ts) => ts.includes('echo') && ts.includes('sleep'),
    });
    await t.call('views.save', { view: { screen: 'tasks', name: 'echoes', filter: { type: 'echo' } } });

    const viaView = await get('/api/tasks?view=echoes');
    expect(viaView.status).toBe(200);
    expect(types(viaView.body)).toEqual(['echo']);
    expect(types((await get('/api/tasks?view=echoes&type=sleep')).body)).toEqual(['sleep']);
    const missing = await get('/api/tasks?view=nope');
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).toContain('nope');
    expect((await get('/api/tasks?view=bad%20name')).status).toBe(400);
  });

  it('GET /api/dead-letters applies a dead-letter view (a task view of that name does not count)', async () => {
    const failed = await t.call('tasks.publish', { type: 'fail', payload: { message: 'boom' } });
    await pollUntil(async () => (await get('/api/dead-letters')).body.dead_letters as { id: string }[], {
      what: 'the dead letter',
      ok: (l) => l.some((d) => d.id === failed.task.id),
      timeoutMs: 20_000,
    });
    await t.call('views.save', { view: { screen: 'deadLetters', name: 'fails', filter: { type: 'fail' } } });
    await t.call('views.save', { view: { screen: 'deadLetters', name: 'echoes', filter: { type: 'echo' } } });
    const fails = (await get('/api/dead-letters?view=fails')).body.dead_letters as { id: string }[];
    expect(fails.map((d) => d.id)).toContain(failed.task.id);
    expect((await get('/api/dead-letters?view=echoes')).body.dead_letters).toEqual([]);
    expect((await get('/api/dead-letters?view=team')).status).toBe(404);
  });

  it("GET /api/dead-letters?view= with a group's fingerprint lists that group only", async () => {
    const a = await t.call('tasks.publish', {
      type: 'fail',
      payload: { message: 'invoice 17 rejected' },
      max_attempts: 1,
    });
    const b = await t.call('tasks.publish', {
      type: 'fail',
      payload: { message: 'printer on fire' },
      max_attempts: 1,
    });
    const groups = await pollUntil(() => t.call('tasks.deadLetters.groups', {}), {
      what: 'both failures grouped',
      ok: (r) =>
        r.groups.some((g) => g.ids.includes(a.task.id)) && r.groups.some((g) => g.ids.includes(b.task.id)),
      timeoutMs: 20_000,
    });
    const fp = groups.groups.find((g) => g.ids.includes(a.task.id))!.fingerprint;
    await t.call('views.save', {
      view: { screen: 'deadLetters', name: 'invoices', filter: { type: 'fail', fingerprint: fp } },
    });
    const ids = (dl: Record<string, unknown>) => (dl.dead_letters as { id: string }[]).map((d) => d.id);
    const viaView = ids((await get('/api/dead-letters?view=invoices')).body);
    expect(viaView).toContain(a.task.id);
    expect(viaView).not.toContain(b.task.id);
    // A fingerprint given beside the view wins.
    const other = groups.groups.find((g) => g.ids.includes(b.task.id))!.fingerprint;
    const beside = ids((await get(`/api/dead-letters?view=invoices&fingerprint=${other}`)).body);
    expect(beside).toEqual([b.task.id]);
  });
});
