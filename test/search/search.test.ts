import { headers } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchHit, SearchInput, SearchProgressEvent } from '../../api/features/search';
import type { ApiError } from '../../api/errors';
import { ClientScope } from '../../core/clients/client-scope';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { seeder, unb64, until, type Seeder } from '../messages/helpers';

let server: TestServer;
let t: TestCore;
let s: Seeder;

const REGIONS = ['eu', 'us', 'apac'];
/** Order i (1-based seq i): region by i % 3, "vip" tag on every 7th, a trace header on every 5th. */
const order = (i: number) => ({
  id: `ord-${i}`,
  region: REGIONS[i % 3],
  amount: i,
  customer: { name: i === 42 ? 'Zoë Needle' : `Customer ${i}` },
  tags: i % 7 === 0 ? ['vip', 'rush'] : ['std'],
});
const N = 300;

beforeAll(async () => {
  server = await startServer();
  t = makeTestCore();
  await t.connectTo(server.url);
  s = await seeder(server.url);
  await s.jsm.streams.add({ name: 'ORD', subjects: ['ord.>'] });
  const js = jetstream(s.nc);
  for (let i = 1; i <= N; i++) {
    const h = headers();
    if (i % 5 === 0) h.set('Trace-Id', `trace-${i}`);
    await js.publish(`ord.${REGIONS[i % 3]}`, JSON.stringify(order(i)), { headers: h });
  }
  // One payload that is not JSON, so a JSON search counts it.
  await js.publish('ord.eu', 'plain text, not json');
});
afterAll(async () => {
  await s?.close();
  await t?.dispose();
  await stopAll();
});

/** Runs a search to its end through events (no sleeps) and returns the final progress and all hits. */
async function runSearch(input: SearchInput, client?: ClientScope) {
  const events: SearchProgressEvent[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let id: string | undefined;
  const early: SearchProgressEvent[] = [];
  const off = t.core.bus.on('search.progress', (p) => {
    if (id === undefined) early.push(p);
    else if (p.searchId === id) {
      events.push(p);
      if (p.done) resolveDone();
    }
  });
  try {
    const started = client
      ? await t.core.router.invoke('search.start', input, { transport: 'test', client })
      : await t.call('search.start', input);
    id = started.searchId;
    for (const p of early.filter((e) => e.searchId === id)) {
      events.push(p);
      if (p.done) resolveDone();
    }
    await done;
  } finally {
    off();
  }
  const final = events[events.length - 1];
  const hits: SearchHit[] = events.flatMap((e) => e.hits);
  return { started: id!, final, hits, events };
}

const seqsOf = (hits: SearchHit[]) => hits.map((h) => h.message.seq);
const expected = (pred: (i: number) => boolean, from = 1, to = N) =>
  Array.from({ length: to - from + 1 }, (_, k) => from + k).filter(pred);

describe('message search on a Limits stream (ordered consumer)', () => {
  it('finds payload text case-insensitively, with an excerpt around it, and reads the whole range', async () => {
    const r = await runSearch({ stream: 'ORD', match: { kind: 'text', text: 'zoë needle' } });
    expect(r.final).toMatchObject({ state: 'done', end: 'range_end', scanned: N + 1, matched: 1 });
    expect(r.final.method).toBe('ordered_consumer');
    expect(r.final.position).toBe(N + 1);
    expect(seqsOf(r.hits)).toEqual([42]);
    expect(r.hits[0].excerpt).toContain('Zoë Needle');
    expect(JSON.parse(unb64(r.hits[0].message.data))).toEqual(order(42));
    // Hits carry a preview of the payload; the message view fetches the rest.
    const short = await runSearch({ stream: 'ORD', match: { kind: 'text', text: 'zoë' }, previewBytes: 8 });
    expect(short.hits[0].message).toMatchObject({
      truncated: true,
      data: Buffer.from('{"id":"o').toString('base64'),
    });
    expect(short.hits[0].message.size).toBe(Buffer.byteLength(JSON.stringify(order(42))));
    // Case-sensitive: the same words in lower case are not there.
    const cs = await runSearch({
      stream: 'ORD',
      match: { kind: 'text', text: 'zoë needle', caseSensitive: true },
    });
    expect(cs.final.matched).toBe(0);
    // The consumers it read with are gone.
    await until(
      () => s.jsm.consumers.list('ORD').next(),
      (l) => l.length === 0,
    );
  });

  it('matches a JSON path: equals on strings and numbers, contains on arrays, [*]; counts payloads that are not JSON', async () => {
    const eu = await runSearch({
      stream: 'ORD',
      match: { kind: 'json', path: 'region', value: 'eu' },
      maxResults: 1000,
    });
    expect(seqsOf(eu.hits)).toEqual(expected((i) => i % 3 === 0));
    expect(eu.final.notJson).toBe(1);
    expect(eu.hits[0].excerpt).toBe('region = "eu"');

    const amount = await runSearch({
      stream: 'ORD',
      match: { kind: 'json', path: '$.amount', op: 'equals', value: '150' },
    });
    expect(seqsOf(amount.hits)).toEqual([150]);

    const vip = await runSearch({
      stream: 'ORD',
      match: { kind: 'json', path: 'tags', op: 'contains', value: 'VIP' },
      maxResults: 1000,
    });
    expect(seqsOf(vip.hits)).toEqual(expected((i) => i % 7 === 0));

    const any = await runSearch({
      stream: 'ORD',
      match: { kind: 'json', path: 'tags[*]', op: 'equals', value: '"rush"' },
      maxResults: 1000,
    });
    expect(seqsOf(any.hits)).toEqual(seqsOf(vip.hits));

    const nested = await runSearch({
      stream: 'ORD',
      match: { kind: 'json', path: 'customer["name"]', op: 'contains', value: 'customer 1' },
      maxResults: 1000,
    });
    expect(seqsOf(nested.hits)).toEqual(expected((i) => String(i).startsWith('1')));
  });

  it('matches a header value, only inside the range and the subject filter', async () => {
    const r = await runSearch({
      stream: 'ORD',
      fromSeq: 20,
      toSeq: 120,
      subject: 'ord.eu',
      match: { kind: 'header', name: 'trace-id', op: 'contains', value: 'TRACE' },
    });
    expect(seqsOf(r.hits)).toEqual(expected((i) => i % 5 === 0 && i % 3 === 0, 20, 120));
    expect(r.hits[0].excerpt).toBe('Trace-Id: trace-30');
    expect(r.final).toMatchObject({ fromSeq: 20, toSeq: 120, end: 'range_end' });
    // Only ord.eu messages were read: a third of the range.
    expect(r.final.scanned).toBe(expected((i) => i % 3 === 0, 20, 120).length);

    const exists = await runSearch({
      stream: 'ORD',
      match: { kind: 'header', name: 'Trace-Id', op: 'exists' },
      maxResults: 1000,
    });
    expect(exists.final.matched).toBe(N / 5);
  });

  it('combines several criteria (AND): every one must hold; the excerpt shows each in the order given', async () => {
    // eu (i % 3 == 0) and traced (i % 5 == 0) and vip (i % 7 == 0): 105, 210.
    const r = await runSearch({
      stream: 'ORD',
      matches: [
        { kind: 'json', path: 'region', value: 'eu' },
        { kind: 'header', name: 'Trace-Id', op: 'exists' },
        { kind: 'json', path: 'tags', op: 'contains', value: 'vip' },
      ],
      maxResults: 1000,
    });
    expect(seqsOf(r.hits)).toEqual(expected((i) => i % 3 === 0 && i % 5 === 0 && i % 7 === 0));
    expect(seqsOf(r.hits)).toEqual([105, 210]);
    expect(r.hits[0]!.excerpt).toBe('region = "eu" · Trace-Id: trace-105 · tags = ["vip","rush"]');
    expect(r.final).toMatchObject({ scanned: N + 1, matched: 2 });
    // Criteria are tried cheapest first (headers, text, JSON) and stop at the first miss: the
    // payload that is not JSON has no Trace-Id, so no JSON criterion ever read it.
    expect(r.final.notJson).toBe(0);
    const parsed = await runSearch({
      stream: 'ORD',
      matches: [
        { kind: 'json', path: 'region', value: 'eu' },
        { kind: 'text', text: 'not json' },
        { kind: 'json', path: 'amount', value: '1' },
      ],
    });
    // Counted once, however many JSON criteria there are.
    expect(parsed.final).toMatchObject({ matched: 0, notJson: 1 });
    // A single criterion in the list is the same search as `match`.
    const one = await runSearch({ stream: 'ORD', matches: [{ kind: 'text', text: 'zoë needle' }] });
    expect(seqsOf(one.hits)).toEqual([42]);
    // Criteria that never hold together find nothing.
    const none = await runSearch({
      stream: 'ORD',
      matches: [
        { kind: 'json', path: 'region', value: 'eu' },
        { kind: 'json', path: 'region', value: 'us' },
      ],
    });
    expect(none.final).toMatchObject({ matched: 0, end: 'range_end' });
  });

  it('searches a time range: only messages stored up to the end time', async () => {
    const t50 = (await s.jsm.streams.getMessage('ORD', { seq: 50 }))!.time;
    const r = await runSearch({
      stream: 'ORD',
      toTime: t50.toISOString(),
      match: { kind: 'header', name: 'Trace-Id', op: 'exists' },
      maxResults: 1000,
    });
    expect(r.final.toSeq).toBeGreaterThanOrEqual(50);
    expect(r.final.toSeq).toBeLessThan(N);
    expect(seqsOf(r.hits)).toEqual(expected((i) => i % 5 === 0, 1, r.final.toSeq));
    for (const h of r.hits) expect(Date.parse(h.message.time)).toBeLessThanOrEqual(t50.getTime());
  });

  it('stops at the result cap and at the scan cap, saying which', async () => {
    const capped = await runSearch({
      stream: 'ORD',
      match: { kind: 'json', path: 'region', value: 'us' },
      maxResults: 10,
    });
    expect(capped.final).toMatchObject({ state: 'done', end: 'max_results', matched: 10 });
    expect(seqsOf(capped.hits)).toEqual(expected((i) => i % 3 === 1).slice(0, 10));
    // It stopped at the 10th hit (seq 28), not at the end of the stream.
    expect(capped.final.position).toBe(28);
    expect(capped.final.scanned).toBe(28);

    const scanned = await runSearch({
      stream: 'ORD',
      match: { kind: 'text', text: 'nowhere to be found' },
      maxScanned: 50,
    });
    expect(scanned.final).toMatchObject({ end: 'max_scanned', scanned: 50, matched: 0, position: 50 });

    // search.status returns every hit of a finished search.
    const st = await t.call('search.status', { searchId: capped.started });
    expect(seqsOf(st.hits)).toEqual(seqsOf(capped.hits));
    expect(st.done).toBe(true);
  });

  it('refuses bad criteria with a clear invalid_input', async () => {
    const bad = (input: unknown) =>
      t.call('search.start', input as SearchInput).then(
        () => undefined,
        (e: unknown) => e as ApiError,
      );
    const path = await bad({ stream: 'ORD', match: { kind: 'json', path: 'a..b', value: 'x' } });
    expect(path?.code).toBe('invalid_input');
    expect(path?.message).toMatch(/not a JSON path: empty key/);
    const header = await bad({ stream: 'ORD', match: { kind: 'header', name: 'X-A', op: 'equals' } });
    expect(header?.code).toBe('invalid_input');
    expect(header?.message).toMatch(/value is required/);
    const cap = await bad({ stream: 'ORD', match: { kind: 'text', text: 'x' }, maxResults: 5000 });
    expect(cap?.message).toMatch(/at most 1000 results/);
    const preview = await bad({ stream: 'ORD', match: { kind: 'text', text: 'x' }, previewBytes: 65_536 });
    expect(preview?.code).toBe('invalid_input');
    const both = await bad({
      stream: 'ORD',
      match: { kind: 'text', text: 'x' },
      matches: [{ kind: 'text', text: 'y' }],
    });
    expect(both?.message).toMatch(/one criterion as match, or several/);
    const neither = await bad({ stream: 'ORD' });
    expect(neither?.message).toMatch(/one criterion as match, or several/);
    const empty = await bad({ stream: 'ORD', matches: [] });
    expect(empty?.message).toMatch(/at least one criterion/);
    const many = await bad({
      stream: 'ORD',
      matches: Array.from({ length: 9 }, () => ({ kind: 'text', text: 'x' })),
    });
    expect(many?.message).toMatch(/at most 8 criteria/);
    const inner = await bad({
      stream: 'ORD',
      matches: [
        { kind: 'text', text: 'x' },
        { kind: 'json', path: 'a..b', value: 'x' },
      ],
    });
    expect(inner?.message).toMatch(/not a JSON path/);
    const missing = await bad({ stream: 'NOPE', match: { kind: 'text', text: 'x' } });
    expect(missing?.code).toBe('not_found');
  });
});

describe('a long search', () => {
  const BIG = 50_000;
  beforeAll(async () => {
    await s.jsm.streams.add({ name: 'BIGS', subjects: ['bigs'] });
    const payload = new TextEncoder().encode('{"n":1,"text":"nothing special"}');
    for (let i = 0; i < BIG; i += 10_000) {
      for (let j = 0; j < 10_000; j++) s.nc.publish('bigs', payload);
      await s.nc.flush();
    }
    await until(
      () => s.jsm.streams.info('BIGS'),
      (si) => si.state.messages === BIG,
      30_000,
    );
  });

  it('is cancelled: it ends as cancelled before the end of the range and deletes its consumer', async () => {
    const done = new Promise<SearchProgressEvent>((resolve) => {
      const off = t.core.bus.on('search.progress', (p) => {
        if (p.stream === 'BIGS' && p.done) {
          off();
          resolve(p);
        }
      });
    });
    const started = await t.call('search.start', { stream: 'BIGS', match: { kind: 'text', text: 'zzz' } });
    const cancelled = await t.call('search.cancel', { searchId: started.searchId });
    expect(cancelled.searchId).toBe(started.searchId);
    const final = await done;
    expect(final).toMatchObject({ state: 'cancelled', end: 'cancelled', done: true });
    expect(final.scanned).toBeLessThan(BIG);
    await until(
      () => s.jsm.consumers.list('BIGS').next(),
      (l) => l.length === 0,
    );
  });

  it('reports progress while it runs and reads the whole stream', async () => {
    const r = await runSearch({ stream: 'BIGS', match: { kind: 'text', text: 'zzz' } });
    expect(r.final).toMatchObject({ state: 'done', end: 'range_end', scanned: BIG, matched: 0 });
    // Progress positions only grow, and the last one is the end of the range.
    const positions = r.events.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(positions.at(-1)).toBe(BIG);
  });

  it('ends when the client that started it goes away', async () => {
    const client = new ClientScope('search test');
    const done = new Promise<SearchProgressEvent>((resolve) => {
      const off = t.core.bus.on('search.progress', (p) => {
        if (p.stream === 'BIGS' && p.done) {
          off();
          resolve(p);
        }
      });
    });
    await t.core.router.invoke(
      'search.start',
      { stream: 'BIGS', match: { kind: 'text', text: 'zzz' } },
      { transport: 'test', client },
    );
    client.close();
    const final = await done;
    expect(final.state).toBe('cancelled');
    expect(final.scanned).toBeLessThan(BIG);
  });

  it('caps how many searches one client runs at once', async () => {
    const client = new ClientScope('busy client');
    const start = () =>
      t.core.router.invoke(
        'search.start',
        { stream: 'BIGS', match: { kind: 'text', text: 'zzz' } },
        { transport: 'test', client },
      );
    try {
      await Promise.all([start(), start(), start(), start()]);
      const fifth = await start().then(
        () => undefined,
        (e: unknown) => e as ApiError,
      );
      expect(fifth?.code).toBe('conflict');
      expect(fifth?.message).toMatch(/already runs 4 searches/);
    } finally {
      client.close();
    }
  });
});

describe('message search on a WorkQueue stream (message get)', () => {
  it('reads without consuming: no consumer, every message still there', async () => {
    await s.jsm.streams.add({ name: 'WQS', subjects: ['wq.>'], retention: 'workqueue' as never });
    const js = jetstream(s.nc);
    for (let i = 1; i <= 40; i++) await js.publish(`wq.${i % 2 ? 'odd' : 'even'}`, JSON.stringify({ i }));
    const r = await runSearch({
      stream: 'WQS',
      subject: 'wq.even',
      match: { kind: 'json', path: 'i', op: 'equals', value: '20' },
    });
    expect(r.final.method).toMatch(/get$/);
    expect(seqsOf(r.hits)).toEqual([20]);
    expect(r.final.scanned).toBe(20);
    const si = await s.jsm.streams.info('WQS');
    expect(si.state.messages).toBe(40);
    expect(si.state.consumer_count).toBe(0);
  });
});
