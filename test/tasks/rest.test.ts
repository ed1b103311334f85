import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../../core/serve/server';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, type TestServer } from '../harness/nats-server';
import { rawClient, streamMessages } from './helpers';

describe('task REST API (jetdeck serve)', () => {
  let server: TestServer;
  let t: TestCore;
  let serve: ServeHandle;
  let raw: Awaited<ReturnType<typeof rawClient>>;

  const api = async (method: string, path: string, body?: unknown, rawBody?: string) => {
    const res = await fetch(`${serve.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${serve.token}`,
        ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
      headers: res.headers,
    };
  };

  beforeAll(async () => {
    server = await startServer();
    t = makeTestCore();
    await t.connectTo(server.url);
    serve = await startServe(t.core, { port: 0, token: 'rest-test-token-0123456789-abcdefghijkLMN' });
    raw = await rawClient(server.url);
  });
  afterAll(async () => {
    await raw?.close();
    await serve?.close();
    await t?.dispose();
    await server?.dispose();
  });

  it('POST /api/tasks → 201 with the task; a duplicate id → 200 duplicate', async () => {
    const r = await api('POST', '/api/tasks', { type: 'echo', payload: { a: 1 }, id: 'rest-1' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      id: 'rest-1',
      type: 'echo',
      payload: { a: 1 },
      status: 'pending',
      duplicate: false,
      subject: 'tasks.new',
    });
    expect(r.headers.get('location')).toBe('/api/tasks/rest-1');
    const again = await api('POST', '/api/tasks', { type: 'echo', payload: { a: 1 }, id: 'rest-1' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, seq: r.body?.seq });
    const high = await api('POST', '/api/tasks', { type: 'echo', payload: null, priority: 'high' });
    expect(high.status).toBe(201);
    expect(high.body?.subject).toBe('tasks.high');
  });

  it('invalid bodies get 400 and nothing is published', async () => {
    const before = await streamMessages(raw.jsm);
    const cases: [unknown, string?][] = [
      [{ payload: 1 }],
      [{ type: 'bad type', payload: 1 }],
      [{ type: 'echo', payload: 1, priority: 'urgent' }],
      [{ type: 'echo', payload: 1, id: 'no spaces allowed' }],
      [[1, 2, 3]],
      [undefined, '{"type": "echo", '],
      [undefined, 'null'],
    ];
    for (const [body, rawBody] of cases) {
      const r = await api('POST', '/api/tasks', body, rawBody);
      expect(r.status, JSON.stringify(body ?? rawBody)).toBe(400);
      const err = r.body?.error as { code: string; message: string };
      expect(err.code).toBe('invalid_input');
      expect(err.message.length).toBeGreaterThan(5);
    }
    expect(await streamMessages(raw.jsm)).toBe(before);
  });

  it('an oversize task gets 413 and nothing is published', async () => {
    const before = await streamMessages(raw.jsm);
    const r = await api('POST', '/api/tasks', { type: 'echo', payload: 'x'.repeat(1024 * 1024 + 100) });
    expect(r.status).toBe(413);
    expect((r.body?.error as { code: string }).code).toBe('payload_too_large');
    expect(await streamMessages(raw.jsm)).toBe(before);
  });

  it('GET /api/tasks pages newest first with a cursor and filters', async () => {
    for (let i = 0; i < 5; i++)
      expect((await api('POST', '/api/tasks', { type: 'paged', id: `pg-${i}`, payload: i })).status).toBe(
        201,
      );
    const p1 = await api('GET', '/api/tasks?type=paged&limit=2');
    expect(p1.status).toBe(200);
    expect((p1.body?.tasks as { id: string }[]).map((x) => x.id)).toEqual(['pg-4', 'pg-3']);
    const p2 = await api('GET', `/api/tasks?type=paged&limit=2&cursor=${String(p1.body?.next)}`);
    expect((p2.body?.tasks as { id: string }[]).map((x) => x.id)).toEqual(['pg-2', 'pg-1']);
    const p3 = await api('GET', `/api/tasks?type=paged&limit=2&cursor=${String(p2.body?.next)}`);
    expect((p3.body?.tasks as { id: string }[]).map((x) => x.id)).toEqual(['pg-0']);
    expect(p3.body?.next).toBeUndefined();
    const pending = await api('GET', '/api/tasks?status=pending&limit=1000');
    expect((pending.body?.tasks as { status: string }[]).every((x) => x.status === 'pending')).toBe(true);
    expect((await api('GET', '/api/tasks?limit=0')).status).toBe(400);
    expect((await api('GET', '/api/tasks?status=nope')).status).toBe(400);
    expect((await api('GET', '/api/tasks?cursor=abc')).status).toBe(400);
  });

  it('GET /api/tasks/:id with timeline; 404 for an unknown id', async () => {
    const r = await api('GET', '/api/tasks/pg-0');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 'pg-0', type: 'paged', status: 'pending', task: { payload: 0 } });
    expect((r.body?.timeline as { kind: string }[])[0].kind).toBe('published');
    const missing = await api('GET', '/api/tasks/does-not-exist');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      ok: false,
      error: { name: 'ApiError', code: 'not_found', message: expect.stringMatching(/does-not-exist/) },
    });
  });

  it('DELETE cancels (202, then 409); PATCH status: cancelled / pending / others', async () => {
    const del = await api('DELETE', '/api/tasks/pg-1');
    expect(del.status).toBe(202);
    expect(del.body).toMatchObject({ id: 'pg-1', cancel_requested: true });
    expect((await api('DELETE', '/api/tasks/nope')).status).toBe(404);

    const patchCancel = await api('PATCH', '/api/tasks/pg-2/status', { status: 'cancelled' });
    expect(patchCancel.status).toBe(200);
    expect(patchCancel.body).toMatchObject({ task: { id: 'pg-2', cancel_requested: true } });
    expect((await api('PATCH', '/api/tasks/pg-3/status', { status: 'completed' })).status).toBe(409);
    expect((await api('PATCH', '/api/tasks/pg-3/status', { status: 'bogus' })).status).toBe(400);
    expect((await api('PATCH', '/api/tasks/pg-3/status', {})).status).toBe(400);
    // Retry (pending) of a task that has not finished: 409.
    expect((await api('PATCH', '/api/tasks/pg-3/status', { status: 'pending' })).status).toBe(409);
    expect((await api('PATCH', '/api/tasks/nope/status', { status: 'cancelled' })).status).toBe(404);

    // A worker's report makes it terminal: then cancel is 409 and pending re-runs it.
    raw.nc.publish(
      'tasks.status.cancelled',
      JSON.stringify({
        id: 'pg-1',
        status: 'cancelled',
        at: new Date().toISOString(),
        attempt: 1,
        worker: 'w',
      }),
    );
    await raw.nc.flush();
    const deadline = Date.now() + 5000;
    while ((await api('GET', '/api/tasks/pg-1')).body?.status !== 'cancelled' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const conflict = await api('DELETE', '/api/tasks/pg-1');
    expect(conflict.status).toBe(409);
    expect((conflict.body?.error as { code: string }).code).toBe('conflict');
    const rerun = await api('PATCH', '/api/tasks/pg-1/status', { status: 'pending' });
    expect(rerun.status).toBe(200);
    expect(rerun.body).toMatchObject({
      task: { id: 'pg-1' },
      retry: { task: { metadata: { retry_of: 'pg-1' } } },
    });
  });

  it('GET /api/queue/status', async () => {
    const r = await api('GET', '/api/queue/status');
    expect(r.status).toBe(200);
    const lanes = r.body?.lanes as { consumer: string; num_pending: number }[];
    const normal = lanes.find((l) => l.consumer === 'task-workers');
    expect(normal?.num_pending).toBeGreaterThanOrEqual(5);
    expect(r.body?.backlog).toBeGreaterThanOrEqual(5);
  });

  it('GET /api/openapi.json is an OpenAPI 3.1 document with the task paths', async () => {
    const r = await api('GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/tasks',
        '/api/tasks/{id}',
        '/api/tasks/{id}/status',
        '/api/queue/status',
      ]),
    );
    expect(Object.keys(doc.paths['/api/tasks'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(doc.paths['/api/tasks/{id}']).toHaveProperty('delete');
    expect(doc.paths['/api/tasks/{id}/status']).toHaveProperty('patch');
    const post = doc.paths['/api/tasks'].post as {
      requestBody: { content: { 'application/json': { schema: Record<string, unknown> } } };
    };
    const newTask = post.requestBody.content['application/json'].schema as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(newTask.required).toEqual(['type']);
    expect(Object.keys(newTask.properties)).toEqual(
      expect.arrayContaining(['type', 'payload', 'id', 'priority']),
    );
    // Every $ref resolves inside the document.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const name = ref.slice(ref.lastIndexOf('/') + 1, -1);
      expect(doc.components.schemas, ref).toHaveProperty(name);
    }
  });

  it('answers 401 without the token', async () => {
    const res = await fetch(`${serve.url}/api/tasks`);
    expect(res.status).toBe(401);
  });

  it('answers 503 when NATS is disconnected, and publishes nothing', async () => {
    const before = await streamMessages(raw.jsm);
    await t.call('connections.disconnect');
    const post = await api('POST', '/api/tasks', { type: 'echo', payload: 1 });
    expect(post.status).toBe(503);
    expect((post.body?.error as { code: string }).code).toBe('not_connected');
    expect((await api('GET', '/api/tasks')).status).toBe(503);
    expect((await api('GET', '/api/queue/status')).status).toBe(503);
    expect(await streamMessages(raw.jsm)).toBe(before);
  });
});
