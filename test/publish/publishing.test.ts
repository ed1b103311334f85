import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, createInbox, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headersSize, isStreamFull, isUnavailable, msgHeaders, readPubAck } from '../../nats/publish/pub-ack';
import { FastPublisher } from '../../core/replay/publisher';
import { PubAckWindow } from '../../core/tasks/pub-ack-window';
import { startServer, type TestServer } from '../harness/nats-server';

/** What FastPublisher reported for each ref. */
type Outcome = { ok: boolean; duplicate: boolean; error?: string };

describe('publishing through the public nc.publish, and PubAck reading', () => {
  let server: TestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    server = await startServer();
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'FW', subjects: ['fw.>'] });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  /** Sends through a FastPublisher (pipelined, one inbox) and waits for every outcome. */
  async function publishAll(
    msgs: { subject: string; headers?: MsgHdrs; data: Uint8Array }[],
  ): Promise<Outcome[]> {
    const out: Outcome[] = [];
    let left = msgs.length;
    let resolve!: () => void;
    const all = new Promise<void>((r) => (resolve = r));
    const pub = new FastPublisher(nc, (ok, duplicate, error, ref) => {
      out[ref] = { ok, duplicate, error };
      if (--left === 0) resolve();
    });
    msgs.forEach((m, i) => pub.send(m.subject, m.data, m.headers, i));
    await all;
    pub.close();
    return out;
  }

  it('stores text, UTF-8, binary, header-less and >128 KB messages intact, with their headers', async () => {
    const te = new TextEncoder();
    const big = new Uint8Array(300_000).map((_, i) => i % 251);
    const binary = new Uint8Array([0, 13, 10, 255, 1]);
    const before = (await jsm.streams.info('FW')).state.last_seq;
    const outcomes = await publishAll([
      { subject: 'fw.text', headers: msgHeaders('t-1', { 'X-A': 'b' }), data: te.encode('{"a":1}') },
      { subject: 'fw.utf8', headers: msgHeaders('t-2'), data: te.encode('grüße → 東京') },
      { subject: 'fw.bin', headers: msgHeaders(undefined, { 'X-Kind': 'bin' }), data: binary },
      { subject: 'fw.none', data: te.encode('no headers') },
      { subject: 'fw.big', headers: msgHeaders('t-big'), data: big },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, true]);
    const got = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => jsm.streams.getMessage('FW', { seq: before + i })),
    );
    // Pipelined sends keep their order on the wire.
    expect(got.map((m) => m?.subject)).toEqual(['fw.text', 'fw.utf8', 'fw.bin', 'fw.none', 'fw.big']);
    expect(got[0]?.string()).toBe('{"a":1}');
    expect(got[0]?.header.get('X-A')).toBe('b');
    expect(got[0]?.header.get('Nats-Msg-Id')).toBe('t-1');
    expect(got[1]?.string()).toBe('grüße → 東京');
    expect([...(got[2]?.data ?? [])]).toEqual([...binary]);
    expect(got[2]?.header.get('X-Kind')).toBe('bin');
    expect(got[3]?.string()).toBe('no headers');
    expect(got[3]?.header?.keys() ?? []).toEqual([]);
    expect(got[4]?.data.length).toBe(big.length);
    expect(Buffer.from(got[4]!.data).equals(Buffer.from(big))).toBe(true);
  });

  it('headersSize counts what nats.js counts against max_payload', () => {
    const h = msgHeaders('id-ü', { 'X-A': 'b', 'X-Empty': '' })!;
    const room = nc.info!.max_payload - headersSize(h);
    const subject = createInbox(); // no subscriber, no stream: nothing is stored
    expect(() => nc.publish(subject, new Uint8Array(room), { headers: h })).not.toThrow();
    expect(() => nc.publish(subject, new Uint8Array(room + 1), { headers: h })).toThrow(/max_payload/);
    expect(headersSize(undefined)).toBe(0);
  });

  it('PubAckWindow reads duplicate PubAcks as server 2.9 writes them ("duplicate": true)', async () => {
    const window = new PubAckWindow(nc);
    try {
      const first = await window.publish({ subject: 'fw.dup', data: 'x', msgId: 'same-id' });
      const second = await window.publish({ subject: 'fw.dup', data: 'x', msgId: 'same-id' });
      expect(first).toMatchObject({ ok: true, duplicate: false });
      expect(second).toMatchObject({ ok: true, duplicate: true });
      if (first.ok && second.ok) expect(second.seq).toBe(first.seq);
    } finally {
      window.close();
    }
  });

  it('reports no stream (503) and a rejected publish (expected-stream mismatch)', async () => {
    const x = new TextEncoder().encode('x');
    const [none, rejected] = await publishAll([
      { subject: 'nowhere.at.all', data: x },
      { subject: 'fw.x', headers: msgHeaders(undefined, { 'Nats-Expected-Stream': 'OTHER' }), data: x },
    ]);
    expect(none).toMatchObject({ ok: false, error: expect.stringMatching(/no stream captures/) });
    expect(rejected).toMatchObject({ ok: false, error: expect.stringMatching(/expected stream/i) });
  });

  it('refuses a bad subject, an oversize message or a header with a line break, sending nothing', async () => {
    const window = new PubAckWindow(nc);
    try {
      const before = (await jsm.streams.info('FW')).state.messages;
      expect(await window.publish({ subject: 'fw.has space', data: 'x', msgId: 'b-1' })).toMatchObject({
        ok: false,
        code: 'nats_error',
      });
      const max = nc.info!.max_payload;
      const oversize = await window.publish({ subject: 'fw.x', data: new Uint8Array(max + 1), msgId: 'b-2' });
      expect(oversize).toMatchObject({ ok: false, error: expect.stringMatching(/max_payload/) });
      expect(() => msgHeaders('bad\r\nX-Injected: 1')).toThrow(/\\r or \\n/);
      expect(() => msgHeaders(undefined, { 'Bad: name': 'x' })).toThrow(/not a valid character/);
      await nc.flush();
      expect((await jsm.streams.info('FW')).state.messages).toBe(before);
      expect(window.inFlight).toBe(0);
    } finally {
      window.close();
    }
  });

  it('fails at once on a closed connection', async () => {
    const other = await connect({ servers: server.url });
    const window = new PubAckWindow(other);
    await other.close();
    expect(await window.publish({ subject: 'fw.x', data: 'x', msgId: 'c-1' })).toMatchObject({
      ok: false,
      code: 'not_connected',
    });
    window.close();
  });

  it('PubAckWindow: a 503 is retried for a grace period, so a stream that appears meanwhile stores it once', async () => {
    const window = new PubAckWindow(nc, { ackTimeoutMs: 1000 });
    try {
      const pending = window.publish({ subject: 'late.x', data: '{"n":1}', msgId: 'late-1' });
      await new Promise((r) => setTimeout(r, 1200));
      await jsm.streams.add({ name: 'LATE', subjects: ['late.>'] });
      const r = await pending;
      expect(r).toMatchObject({ ok: true, duplicate: false });
      expect((await jsm.streams.info('LATE')).state.messages).toBe(1);
    } finally {
      window.close();
    }
  });

  it('PubAckWindow: a subject no stream captures fails after the grace period with a clear error', async () => {
    const window = new PubAckWindow(nc, { ackTimeoutMs: 1000 });
    try {
      const t0 = Date.now();
      const r = await window.publish({ subject: 'nowhere.y', data: 'x', msgId: 'nw-1' });
      expect(r).toEqual({ ok: false, error: 'no stream captures nowhere.y', code: 'nats_error' });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(5000);
    } finally {
      window.close();
    }
  });

  it('takes JetStream-not-ready (503 with a body) and no responders as retryable, other errors as final', () => {
    // Replies as the server words them; shaped by hand because a restart's window is too short to catch.
    const reply = (body: string, code = 0) =>
      ({
        data: new TextEncoder().encode(body),
        headers: code ? { code, description: '' } : undefined,
      }) as unknown as Msg;
    const notReady = readPubAck(
      reply(
        '{"error":{"code":503,"err_code":10008,"description":"JetStream system temporarily unavailable"}}',
      ),
    );
    expect(notReady).toEqual({
      kind: 'rejected',
      error: 'JetStream system temporarily unavailable',
      code: 503,
      errCode: 10008,
    });
    expect(isUnavailable(notReady)).toBe(true);
    // A full stream with discard new is a 503 too, but final (store failed, err_code 10077).
    const full = readPubAck(
      reply(
        '{"error":{"code":503,"err_code":10077,"description":"maximum bytes exceeded"},"stream":"T","seq":0}',
      ),
    );
    expect(isUnavailable(full)).toBe(false);
    expect(isStreamFull(full)).toBe(true);
    expect(isStreamFull(notReady)).toBe(false);
    expect(isUnavailable(readPubAck(reply('', 503)))).toBe(true);
    const wrongStream = readPubAck(
      reply('{"error":{"code":400,"err_code":10060,"description":"expected stream does not match"}}'),
    );
    expect(wrongStream.kind).toBe('rejected');
    expect(isUnavailable(wrongStream)).toBe(false);
    expect(readPubAck(reply('{"stream":"S", "seq":42,"duplicate": true}'))).toEqual({
      kind: 'ack',
      seq: 42,
      duplicate: true,
    });
  });

  it('reads PubAcks from their bytes as a JSON parse would, whatever the stream or domain is called', () => {
    const reply = (body: string) => ({ data: Buffer.from(body), headers: undefined }) as unknown as Msg;
    const ack = (seq: number, duplicate = false) => ({ kind: 'ack', seq, duplicate });
    // As 2.9 writes them (a space after the stream), as encoding/json would (none), with a domain.
    expect(readPubAck(reply('{"stream":"TASKS", "seq":1234567}'))).toEqual(ack(1234567));
    expect(readPubAck(reply('{"stream":"TASKS","seq":7,"duplicate":true}'))).toEqual(ack(7, true));
    expect(readPubAck(reply('{"stream":"T", "seq":8, "domain":"hub", "duplicate": true}'))).toEqual(
      ack(8, true),
    );
    expect(readPubAck(reply('{"stream":"T","seq":9,"duplicate":false}'))).toEqual(ack(9));
    // Names that look like keys: an escaped quote, "error", "duplicate".
    expect(readPubAck(reply('{"stream":"a\\"b", "seq":3}'))).toEqual(ack(3));
    expect(readPubAck(reply('{"stream":"error", "seq":4}'))).toEqual(ack(4));
    expect(readPubAck(reply('{"stream":"duplicate", "seq":5, "domain":"duplicate"}'))).toEqual(ack(5));
    // Newer servers' fields after the sequence; keys in another order: the full parse.
    expect(readPubAck(reply('{"stream":"T","seq":10,"batch":"b1","count":2,"duplicate":true}'))).toEqual(
      ack(10, true),
    );
    expect(readPubAck(reply('{"seq":11,"stream":"T","duplicate":true}'))).toEqual(ack(11, true));
    expect(readPubAck(reply('{"stream":"T"}'))).toEqual({ kind: 'unreadable' });
    expect(readPubAck(reply('not json'))).toEqual({ kind: 'unreadable' });
    expect(readPubAck(reply('{"error":{"code":400,"description":"bad"}}'))).toEqual({
      kind: 'rejected',
      error: 'bad',
      code: 400,
      errCode: undefined,
    });
  });
});
