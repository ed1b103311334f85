import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameWriter } from '../../nats/publish/frame-writer';
import { headerBlock, isUnavailable, readPubAck, replyToken } from '../../nats/publish/pub-ack';
import { PubAckWindow } from '../../core/tasks/pub-ack-window';
import { startServer, type TestServer } from '../harness/nats-server';

/** The same connection with nats.js's protocol handler hidden: FrameWriter falls back to nc.publish. */
function withoutProtocol(nc: NatsConnection): NatsConnection {
  return new Proxy(nc, {
    get: (target, key) => {
      if (key === 'protocol') return undefined;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('FrameWriter and PubAck reading', () => {
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

  /** Sends through `writer` and collects the PubAck replies by token. */
  async function publishAll(
    writer: FrameWriter,
    msgs: { subject: string; header: string; data: string | Uint8Array }[],
  ): Promise<Map<number, Msg>> {
    const inbox = createInbox();
    const replies = new Map<number, Msg>();
    let resolve!: () => void;
    const all = new Promise<void>((r) => (resolve = r));
    const sub = nc.subscribe(`${inbox}.*`, {
      callback: (_e, m) => {
        replies.set(replyToken(m, inbox), m);
        if (replies.size === msgs.length) resolve();
      },
    });
    msgs.forEach((m, i) => writer.publish(m.subject, `${inbox}.${i}`, m.header, m.data));
    await Promise.race([all, new Promise((_, rej) => setTimeout(() => rej(new Error('no PubAcks')), 5000))]);
    sub.unsubscribe();
    return replies;
  }

  it.each([
    ['batched frames', (c: NatsConnection) => c],
    ['the nc.publish fallback', withoutProtocol],
  ])('stores text, UTF-8, binary, header-less and >128 KB messages intact via %s', async (_name, wrap) => {
    const writer = new FrameWriter(wrap(nc));
    const big = new Uint8Array(300_000).map((_, i) => i % 251);
    const binary = new Uint8Array([0, 13, 10, 255, 1]);
    const msgs = [
      { subject: 'fw.text', header: headerBlock('t-1', { 'X-A': 'b' }), data: '{"a":1}' },
      { subject: 'fw.utf8', header: headerBlock('t-2'), data: 'grüße → 東京' },
      { subject: 'fw.bin', header: headerBlock(undefined, { 'X-Kind': 'bin' }), data: binary },
      { subject: 'fw.none', header: '', data: 'no headers' },
      { subject: 'fw.big', header: headerBlock('t-big'), data: big },
    ];
    const replies = await publishAll(writer, msgs);
    const seqs = msgs.map((_, i) => {
      const r = readPubAck(replies.get(i)!);
      expect(r.kind).toBe('ack');
      return r.kind === 'ack' ? r.seq : 0;
    });
    const got = await Promise.all(seqs.map((seq) => jsm.streams.getMessage('FW', { seq })));
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

  it('reads duplicate PubAcks as server 2.9 writes them ("duplicate": true)', async () => {
    const writer = new FrameWriter(nc);
    const msg = { subject: 'fw.dup', header: headerBlock('same-id'), data: 'x' };
    const first = readPubAck((await publishAll(writer, [msg])).get(0)!);
    const second = readPubAck((await publishAll(writer, [msg])).get(0)!);
    expect(first).toMatchObject({ kind: 'ack', duplicate: false });
    expect(second).toMatchObject({ kind: 'ack', duplicate: true });
    if (first.kind === 'ack' && second.kind === 'ack') expect(second.seq).toBe(first.seq);
  });

  it('reports no stream (503) and a rejected publish (expected-stream mismatch)', async () => {
    const writer = new FrameWriter(nc);
    const replies = await publishAll(writer, [
      { subject: 'nowhere.at.all', header: '', data: 'x' },
      {
        subject: 'fw.x',
        header: `NATS/1.0\r\nNats-Expected-Stream: OTHER\r\n\r\n`,
        data: 'x',
      },
    ]);
    expect(readPubAck(replies.get(0)!)).toMatchObject({ kind: 'status', code: 503 });
    const rejected = readPubAck(replies.get(1)!);
    expect(rejected.kind).toBe('rejected');
    if (rejected.kind === 'rejected') expect(rejected.error).toMatch(/expected stream/i);
  });

  it('refuses what would corrupt the framing or exceed max_payload, sending nothing', async () => {
    const writer = new FrameWriter(nc);
    const before = (await jsm.streams.info('FW')).state.messages;
    expect(() => writer.publish('fw.has space', 'r', '', 'x')).toThrow(/invalid subject/);
    expect(() => writer.publish('fw.x', 'r\r\nPUB', '', 'x')).toThrow(/invalid subject/);
    const max = nc.info!.max_payload;
    expect(() => writer.publish('fw.x', 'r', '', new Uint8Array(max + 1))).toThrow(/max_payload/);
    expect(() => headerBlock('bad\r\nX-Injected: 1')).toThrow(/line breaks/);
    await nc.flush();
    expect((await jsm.streams.info('FW')).state.messages).toBe(before);
  });

  it('throws on a closed connection', async () => {
    const other = await connect({ servers: server.url });
    const writer = new FrameWriter(other);
    await other.close();
    expect(() => writer.publish('fw.x', 'r', '', 'x')).toThrow(/closed/);
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
    });
    expect(isUnavailable(notReady)).toBe(true);
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
});
