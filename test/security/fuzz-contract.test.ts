import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods, type MethodName } from '../../api/contract';
import type { CallResult } from '../../api/client';
import { startServe, type ServeHandle } from '../../core/serve/server';
import { dispatchIpcCall } from '../../electron/ipc-dispatch';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { publishMany, seeder, type Seeder } from '../messages/helpers';
import { openWs, type WsClient } from '../serve/helpers';
import { getAt, JUNK, nested, sample, setAt, strippingObjects, type Path } from './schema-walk';

/**
 * Fuzz over EVERY contract method, through the WebSocket bridge of a real `jetdeck serve` and
 * through the Electron IPC handler layer's plain-Node part, against a real nats-server: for
 * each method a valid sample input is built from its schema, then every leaf is replaced by
 * each junk value its own schema refuses, every object gets an unknown key, and the whole
 * input is replaced by junk and by 5,000-deep nesting. Each such call must be a clean
 * invalid_input (never ok, never internal, never a stack), and afterwards nothing on the
 * server or in the data folder has changed.
 */

const TOKEN = 'fuzz-test-token-0123456789-abcdefghijkLMNOP';
const STREAM_MSGS = 50;
const DEEP = '__DEEP__';
const DEEP_JSON = '['.repeat(5000) + '1' + ']'.repeat(5000);

let nats: TestServer;
let tc: TestCore;
let serve: ServeHandle;
let s: Seeder;
let ws: WsClient;

interface Case {
  method: MethodName;
  /** JSON text of the input (may embed DEEP_JSON). */
  json: string;
  why: string;
}

const label = (v: unknown) => {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 30 ? `${t.slice(0, 27)}...` : t;
};
const toJson = (v: unknown) => JSON.stringify(v).replace(JSON.stringify(DEEP), DEEP_JSON);
/** Junk as JSON text → value, so `__proto__` keys are own keys as they are on the wire. */
const junkValues = JUNK.map((j) => JSON.parse(JSON.stringify(j)) as unknown).concat([
  JSON.parse('{"__proto__":{"polluted":true}}'),
]);
const noSample: string[] = [];

function casesFor(name: MethodName): Case[] {
  const schema = methods[name].input;
  const out: Case[] = [];
  for (const j of junkValues) {
    if (!schema.safeParse(j).success) out.push({ method: name, json: toJson(j), why: `input=${label(j)}` });
  }
  out.push({ method: name, json: DEEP_JSON, why: 'input nested 5000 deep' });
  const smp = sample(schema);
  if (!smp) {
    noSample.push(name);
    return out;
  }
  const at = (path: Path, v: unknown) => setAt(smp.value, path, v);
  for (const leaf of smp.leaves) {
    for (const j of junkValues) {
      // Junk the leaf's own schema accepts is not junk for this field.
      if (leaf.schema.safeParse(j).success) continue;
      out.push({ method: name, json: toJson(at(leaf.path, j)), why: `${leaf.path.join('.')}=${label(j)}` });
    }
  }
  for (const o of smp.objects) {
    if (o.loose || typeof getAt(smp.value, o.path) !== 'object') continue;
    out.push({
      method: name,
      json: toJson(at([...o.path, 'zzUnknownField'], 1)),
      why: `unknown key in ${o.path.join('.') || '(input)'}`,
    });
  }
  // Deep nesting where a payload goes (metadata, payload, any leaf): one per method, at its first leaf.
  const firstLeaf = smp.leaves[0];
  if (firstLeaf)
    out.push({
      method: name,
      json: toJson(at(firstLeaf.path, DEEP)),
      why: `${firstLeaf.path.join('.')} nested 5000 deep`,
    });
  return out;
}

const allCases = (Object.keys(methods) as MethodName[]).flatMap(casesFor);

async function snapshot(): Promise<Record<string, unknown>> {
  const info = await s.jsm.streams.info('FUZZ');
  const streams: string[] = [];
  for await (const n of s.jsm.streams.names()) streams.push(n);
  const tasks = streams.includes('TASKS') ? (await s.jsm.streams.info('TASKS')).state.messages : 0;
  return {
    fuzz: [info.state.messages, info.state.last_seq],
    streams: streams.sort(),
    tasks,
    profiles: (await tc.call('connections.list')).profiles.length,
    connection: (await tc.call('connections.status')).state,
    pool: (await tc.call('workers.status')).state,
    files: ['handlers', 'imports', 'exports'].map((f) => readdirSync(join(tc.dataDir, f)).length),
  };
}

function expectCleanRefusal(c: Case, r: CallResult): void {
  const where = `${c.method} ${c.why}`;
  expect(r.ok, where).toBe(false);
  if (r.ok) return;
  expect(r.error.code, `${where}: ${r.error.message}`).toBe('invalid_input');
  expect(JSON.stringify(r.error), where).not.toMatch(/\bstack\b|\n\s+at /);
}

beforeAll(async () => {
  nats = await startServer();
  tc = makeTestCore();
  await tc.connectTo(nats.url);
  s = await seeder(nats.url);
  await s.jsm.streams.add({ name: 'FUZZ', subjects: ['fuzz.>'] });
  await publishMany(
    s,
    STREAM_MSGS,
    (i) => `fuzz.${i % 3}`,
    (i) => JSON.stringify({ i }),
  );
  serve = await startServe(tc.core, { host: '127.0.0.1', port: 0, token: TOKEN });
  ws = await openWs(`${serve.url.replace('http:', 'ws:')}/ws`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
});

afterAll(async () => {
  await ws?.close();
  await serve?.close();
  await s?.close();
  await tc?.dispose();
  await stopAll();
});

describe('contract fuzz', () => {
  it('builds a valid sample for (nearly) every method and finds no object that drops unknown keys', () => {
    const total = Object.keys(methods).length;
    // Methods without a sample still get the whole-input junk cases; there should be none.
    expect(noSample, 'methods without a valid sample').toEqual([]);
    for (const [name, m] of Object.entries(methods)) {
      expect(strippingObjects(m.input), `${name}: objects that silently drop unknown keys`).toEqual([]);
    }
    console.log(`fuzz: ${total} methods, ${allCases.length} cases per transport`);
  });

  it('refuses every malformed input over the WebSocket bridge, changing nothing', async () => {
    const before = await snapshot();
    const WINDOW = 128;
    let id = 1;
    for (let i = 0; i < allCases.length; i += WINDOW) {
      const batch = allCases.slice(i, i + WINDOW).map((c) => ({ c, id: id++ }));
      for (const { c, id: n } of batch)
        ws.send(`{"id":${n},"method":${JSON.stringify(c.method)},"input":${c.json}}`);
      for (const { c, id: n } of batch) {
        const reply = (await ws.next((f) => f.id === n, 30_000)) as unknown as CallResult;
        expectCleanRefusal(c, reply);
      }
    }
    expect(await snapshot()).toEqual(before);
    console.log(`fuzz: ${allCases.length} WebSocket cases refused cleanly`);
  });

  it('refuses every malformed input through the IPC handler layer, changing nothing', async () => {
    const before = await snapshot();
    for (const c of allCases) {
      // Structured clone (IPC) carries deep values as they are: rebuild the deep part as a value.
      const value =
        c.json === DEEP_JSON
          ? nested(5000)
          : (JSON.parse(c.json.replace(DEEP_JSON, JSON.stringify(DEEP)), (_k, v: unknown) =>
              v === DEEP ? nested(5000) : v,
            ) as unknown);
      expectCleanRefusal(c, await dispatchIpcCall(tc.core.router, undefined, [c.method, value]));
    }
    // The IPC layer's own checks: a refused sender and a malformed call.
    const refused = await dispatchIpcCall(tc.core.router, 'only the main frame may call the backend', [
      'app.info',
      undefined,
    ]);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    for (const args of [[], [42, {}], ['', {}], ['x'.repeat(201), {}]]) {
      expect(await dispatchIpcCall(tc.core.router, undefined, args)).toMatchObject({
        ok: false,
        error: { code: 'invalid_input' },
      });
    }
    expect(await snapshot()).toEqual(before);
    console.log(`fuzz: ${allCases.length + 5} IPC cases refused cleanly`);
  });
});
