import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../../core/serve/server';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, type TestServer } from '../harness/nats-server';
import { waitFor } from './helpers';

const TOKEN = 'metrics-test-token-0123456789-abcdefgHIJ';

let nats: TestServer;
let tc: TestCore;
let serve: ServeHandle;
let uiDir: string;

beforeAll(async () => {
  nats = await startServer();
  const nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'PROM', subjects: ['prom.>'] });
  await jsm.consumers.add('PROM', { durable_name: 'work', ack_policy: AckPolicy.Explicit });
  const js = jetstream(nc);
  for (let i = 0; i < 3; i++) await js.publish('prom.job', String(i));
  await nc.close();

  tc = makeTestCore();
  await tc.connectTo(nats.url);
  uiDir = mkdtempSync(join(tmpdir(), 'jetdeck-metrics-ui-'));
  mkdirSync(uiDir, { recursive: true });
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>ui</title>');
  // The same server `jetdeck serve` runs, in-process, on a free port.
  serve = await startServe(tc.core, { host: '127.0.0.1', port: 0, token: TOKEN, uiDir });
}, 30_000);

afterAll(async () => {
  await serve?.close();
  await tc?.dispose();
  await nats?.dispose();
  if (uiDir) rmSync(uiDir, { recursive: true, force: true });
});

/** One Prometheus text-format sample line: name, optional {labels}, value. */
const SAMPLE_LINE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;

describe('jetdeck serve: GET /metrics', () => {
  it('refuses scrapes without the token or with a wrong one', async () => {
    const variants: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not-the-token-xxxxxxxx' },
      { authorization: TOKEN }, // the token without the Bearer scheme
    ];
    for (const headers of variants) {
      const res = await fetch(`${serve.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe('unauthorized');
    }
  });

  it('serves jetdeck_ metrics in Prometheus text format with Authorization: Bearer', async () => {
    const scrape = async () => {
      const res = await fetch(`${serve.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return { res, text: await res.text() };
    };
    // The first sample lands shortly after connecting; poll until it shows the consumer.
    const { res, text } = await waitFor(async () => {
      const r = await scrape();
      return r.text.includes('jetdeck_consumer_pending{stream="PROM",consumer="work"} 3') ? r : undefined;
    }, 'the consumer in /metrics');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');

    const lines = text.split('\n').filter(Boolean);
    const samples = lines.filter((l) => !l.startsWith('#'));
    expect(samples.length).toBeGreaterThan(0);
    for (const l of samples) {
      const m = SAMPLE_LINE.exec(l);
      expect(m, `not a Prometheus sample line: ${l}`).not.toBeNull();
      // JetDeck's own families, plus prom-client's default process metrics.
      expect(m![1]).toMatch(/^(jetdeck|process|nodejs)_/);
    }
    // Every metric family is announced with HELP and TYPE before its samples.
    const families = new Set(lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
    expect(lines.some((l) => l.startsWith('# HELP jetdeck_'))).toBe(true);
    for (const l of samples) {
      const name = SAMPLE_LINE.exec(l)![1].replace(/_(bucket|sum|count)$/, '');
      expect(families.has(name) || families.has(SAMPLE_LINE.exec(l)![1]), `no # TYPE for ${l}`).toBe(true);
    }
    expect(text).toMatch(/^# TYPE jetdeck_consumer_pending gauge$/m);
    expect(text).toContain('jetdeck_consumer_ack_pending{stream="PROM",consumer="work"} 0');
    expect(text).toMatch(/^jetdeck_server_up\{server="[^"]+"\} 1$/m);
  }, 30_000);
});
