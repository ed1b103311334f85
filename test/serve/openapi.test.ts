import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_OPERATIONS } from '../../core/tasks/rest-routes';
import { startServe, type ServeHandle } from '../../core/serve/server';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, type TestServer } from '../harness/nats-server';

// CJS modules seen through ESM interop.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ??
  Ajv2020Module) as typeof Ajv2020Module;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule;

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

/**
 * The served OpenAPI document is valid OpenAPI 3.1, covers the whole HTTP API, and every live
 * answer of serve (success and error alike) is a documented status whose body matches the
 * documented schema.
 */
describe('serve OpenAPI document', () => {
  let server: TestServer;
  let t: TestCore;
  let serve: ServeHandle;
  let doc: Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const checked = new Set<string>();

  async function call(method: string, path: string, template: string, body?: unknown, token?: string) {
    const res = await fetch(`${serve.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token ?? serve.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const op = doc.paths[template]?.[method.toLowerCase()];
    expect(op, `${method} ${template} is documented`).toBeDefined();
    const documented = op!.responses[String(res.status)];
    expect(
      documented,
      `${method} ${path} → ${res.status} is documented (${text.slice(0, 200)})`,
    ).toBeDefined();
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
    const content = documented!.content?.[type];
    expect(content, `${method} ${path} → ${res.status} ${type} is documented`).toBeDefined();
    if (type === 'application/json' && content!.schema) {
      const validate = ajv.compile(content!.schema);
      const ok = validate(JSON.parse(text));
      expect(ok, `${method} ${path} → ${res.status}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    checked.add(`${method.toLowerCase()} ${template} ${res.status}`);
    return { status: res.status, body: type === 'application/json' ? JSON.parse(text) : text };
  }

  beforeAll(async () => {
    server = await startServer();
    t = makeTestCore();
    await t.connectTo(server.url);
    serve = await startServe(t.core, { port: 0, token: 'openapi-test-token-0123456789-abcdefghijKLM' });
    const res = await fetch(`${serve.url}/api/openapi.json`, {
      headers: { authorization: `Bearer ${serve.token}` },
    });
    const validator = new Validator();
    const result = await validator.validate((await res.json()) as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    doc = validator.resolveRefs() as Doc;
  });
  afterAll(async () => {
    await serve?.close();
    await t?.dispose();
    await server?.dispose();
  });

  it('is valid OpenAPI 3.1 with a unique operationId on every operation of the route table', () => {
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(REST_OPERATIONS.map((o) => o.operationId).sort());
    for (const p of ['/api/health', '/metrics', '/api/call/{method}', '/api/tasks/{id}'])
      expect(doc.paths).toHaveProperty(p);
  });

  it('every live answer is a documented status with a body that matches its schema', async () => {
    const created = await call('POST', '/api/tasks', '/api/tasks', {
      type: 'echo',
      payload: { n: 1 },
      id: 'oa-1',
    });
    expect(created.status).toBe(201);
    expect((await call('POST', '/api/tasks', '/api/tasks', { type: 'echo', id: 'oa-1' })).status).toBe(200);
    expect((await call('POST', '/api/tasks', '/api/tasks', { type: 'echo', bogus: 1 })).status).toBe(400);
    expect((await call('POST', '/api/tasks', '/api/tasks', { type: 'echo' }, 'wrong-token')).status).toBe(
      401,
    );

    expect((await call('GET', '/api/tasks?limit=5', '/api/tasks')).status).toBe(200);
    expect((await call('GET', '/api/tasks?limit=0', '/api/tasks')).status).toBe(400);

    // The task list fills from the stream: wait until the new task is known by id.
    let got = await call('GET', '/api/tasks/oa-1', '/api/tasks/{id}');
    for (let i = 0; got.status === 404 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 50));
      got = await call('GET', '/api/tasks/oa-1', '/api/tasks/{id}');
    }
    expect(got.status).toBe(200);
    expect((await call('GET', '/api/tasks/no-such-task', '/api/tasks/{id}')).status).toBe(404);
    expect((await call('GET', `/api/tasks/${'x'.repeat(201)}`, '/api/tasks/{id}')).status).toBe(400);

    expect(
      (await call('PATCH', '/api/tasks/oa-1/status', '/api/tasks/{id}/status', { status: 'bogus' })).status,
    ).toBe(400);
    expect(
      (await call('PATCH', '/api/tasks/nope/status', '/api/tasks/{id}/status', { status: 'cancelled' }))
        .status,
    ).toBe(404);
    expect(
      (await call('PATCH', '/api/tasks/oa-1/status', '/api/tasks/{id}/status', { status: 'cancelled' }))
        .status,
    ).toBe(200);
    // Retrying a task that has not finished is refused; a second cancel request is accepted.
    expect(
      (await call('PATCH', '/api/tasks/oa-1/status', '/api/tasks/{id}/status', { status: 'pending' })).status,
    ).toBe(409);
    expect((await call('DELETE', '/api/tasks/oa-1', '/api/tasks/{id}')).status).toBe(202);
    expect((await call('DELETE', '/api/tasks/nope', '/api/tasks/{id}')).status).toBe(404);

    expect((await call('GET', '/api/queue/status', '/api/queue/status')).status).toBe(200);
    expect((await call('GET', '/api/health', '/api/health')).status).toBe(200);
    expect((await call('GET', '/api/health/ready', '/api/health/ready')).status).toBe(200);
    expect((await call('POST', '/api/call/tasks.topology', '/api/call/{method}', {})).status).toBe(200);
    expect((await call('POST', '/api/call/no.suchMethod', '/api/call/{method}', {})).status).toBe(404);
    expect((await call('POST', '/api/call/tasks.list', '/api/call/{method}', { limit: 'x' })).status).toBe(
      400,
    );
    expect((await call('GET', '/metrics', '/metrics')).status).toBe(200);
    expect((await call('GET', '/api/openapi.json', '/api/openapi.json')).status).toBe(200);

    const dl = '/api/dead-letters';
    expect((await call('GET', `${dl}?include_resolved=true`, dl)).status).toBe(200);
    expect((await call('GET', `${dl}?include_resolved=maybe`, dl)).status).toBe(400);
    expect((await call('GET', `${dl}/groups?type=echo`, `${dl}/groups`)).status).toBe(200);
    const g = `${dl}/groups/{fingerprint}`;
    const none = `${dl}/groups/000000000000`;
    const patch = [{ op: 'replace', path: '/n', value: 2 }];
    expect((await call('POST', `${none}/retry`, `${g}/retry`, {})).status).toBe(200);
    expect((await call('POST', `${none}/discard`, `${g}/discard`, { type: 'echo' })).status).toBe(200);
    expect((await call('POST', `${dl}/groups/not-hex/discard`, `${g}/discard`, {})).status).toBe(400);
    expect((await call('POST', `${none}/dry-run`, `${g}/dry-run`, { patch })).status).toBe(200);
    expect((await call('POST', `${none}/dry-run`, `${g}/dry-run`, { patch: [] })).status).toBe(400);
    expect((await call('POST', `${none}/edit-retry`, `${g}/edit-retry`, { patch })).status).toBe(400);
    expect(
      (await call('POST', `${none}/edit-retry`, `${g}/edit-retry`, { patch, confirm: true })).status,
    ).toBe(200);
    expect((await call('POST', `${dl}/nope/retry`, `${dl}/{id}/retry`)).status).toBe(404);
    expect((await call('POST', `${dl}/oa-1/discard`, `${dl}/{id}/discard`)).status).toBe(409);

    // Every documented operation was exercised at least once.
    for (const op of REST_OPERATIONS) {
      expect(
        [...checked].some((c) => c.startsWith(`${op.method} ${op.path} `)),
        `${op.method} ${op.path}`,
      ).toBe(true);
    }
    console.log(`openapi: ${checked.size} live answers checked against the document`);
  });
});
