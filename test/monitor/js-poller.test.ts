import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamPoller, type JetStreamSnapshot } from '../../core/monitor/js-poller';
import { RequestMux } from '../../core/monitor/request-mux';
import { startServer, type TestServer } from '../harness/nats-server';

/** Long enough that no staggered first refresh (due within 20–100 % of it) falls inside the test steps. */
const IDLE_MS = 60_000;

let server: TestServer;
let nc: NatsConnection;
let js: JetStreamClient;
let mux: RequestMux;

beforeAll(async () => {
  server = await startServer();
  nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'WORK', subjects: ['work.>'] });
  await jsm.consumers.add('WORK', { durable_name: 'w', ack_policy: AckPolicy.Explicit });
  await jsm.streams.add({ name: 'LANES', subjects: ['lanes.>'] });
  await jsm.consumers.add('LANES', {
    durable_name: 'l',
    ack_policy: AckPolicy.Explicit,
    filter_subject: 'lanes.new',
  });
  await jsm.streams.add({ name: 'QUIET', subjects: ['quiet.>'] });
  await jsm.consumers.add('QUIET', { durable_name: 'q', ack_policy: AckPolicy.Explicit });
  await jsm.streams.add({ name: 'EMPTY', subjects: ['empty.>'] });
  js = jetstream(nc);
  mux = new RequestMux(nc);
}, 30_000);

afterAll(async () => {
  mux?.close();
  await nc?.close();
  await server?.dispose();
});

const consumer = (snap: JetStreamSnapshot, stream: string) =>
  snap.consumers.find((c) => c.stream_name === stream)!;

describe('JetStreamPoller: consumers re-listed only when they can have changed', () => {
  it('carries idle consumers forward, and sees deliveries and acks that leave the stream unchanged', async () => {
    const poller = new JetStreamPoller(mux, IDLE_MS);
    let now = 1_000_000;
    const first = await poller.poll(now);
    expect(first.streams.map((s) => s.config.name).sort()).toEqual(['EMPTY', 'LANES', 'QUIET', 'WORK']);
    expect(first.relisted).toBe(3); // a stream without consumers needs no CONSUMER.LIST
    expect(first.consumers).toHaveLength(3);

    // Nothing changed and nothing is pending: the listing is carried forward.
    now += 1000;
    const idle = await poller.poll(now);
    expect(idle.relisted).toBe(0);
    expect(consumer(idle, 'WORK')).toBe(consumer(first, 'WORK'));

    // A publish moves last_seq: that stream is re-listed, the quiet one is not.
    await js.publish('work.a', 'x');
    await js.publish('work.a', 'y');
    now += 1000;
    const published = await poller.poll(now);
    expect(published.relisted).toBe(1);
    expect(consumer(published, 'WORK').num_pending).toBe(2);

    // A fetch delivers without changing the stream; the consumer was busy, so it is re-read.
    const c = await js.consumers.get('WORK', 'w');
    const msgs = await c.fetch({ max_messages: 2, expires: 2000 });
    const got = [];
    for await (const m of msgs) got.push(m);
    expect(got).toHaveLength(2);
    now += 1000;
    const delivered = await poller.poll(now);
    expect(delivered.relisted).toBe(1);
    expect(consumer(delivered, 'WORK')).toMatchObject({ num_pending: 0, num_ack_pending: 2 });

    // Acks on a Limits stream change only the consumer; still busy at the last listing, so re-read.
    for (const m of got) await m.ackAck();
    now += 1000;
    const acked = await poller.poll(now);
    expect(acked.relisted).toBe(1);
    expect(consumer(acked, 'WORK')).toMatchObject({ num_pending: 0, num_ack_pending: 0 });
    expect(acked.streams.find((s) => s.config.name === 'WORK')?.state.messages).toBe(2);

    // Drained and unchanged: carried forward again until the idle refresh is due.
    now += 1000;
    expect((await poller.poll(now)).relisted).toBe(0);
    now += IDLE_MS;
    expect((await poller.poll(now)).relisted).toBe(3);
  }, 30_000);

  it('follows consumers added and removed (consumer_count is part of the stream state)', async () => {
    const jsm = await jetstreamManager(nc);
    const poller = new JetStreamPoller(mux, IDLE_MS);
    let now = 2_000_000;
    await poller.poll(now);
    await jsm.consumers.add('QUIET', { durable_name: 'q2', ack_policy: AckPolicy.Explicit });
    now += 1000;
    const added = await poller.poll(now);
    expect(added.relisted).toBe(1);
    expect(
      added.consumers
        .filter((c) => c.stream_name === 'QUIET')
        .map((c) => c.name)
        .sort(),
    ).toEqual(['q', 'q2']);
    await jsm.consumers.delete('QUIET', 'q2');
    now += 1000;
    const removed = await poller.poll(now);
    expect(removed.consumers.filter((c) => c.stream_name === 'QUIET').map((c) => c.name)).toEqual(['q']);
  }, 30_000);

  it('with busyRelistMs, re-lists a busy stream with a filtered consumer no more often than that', async () => {
    const BUSY_MS = 10_000;
    const poller = new JetStreamPoller(mux, IDLE_MS, BUSY_MS);
    let now = 3_000_000;
    await js.publish('lanes.new', 'x');
    await js.publish('work.b', 'x');
    const first = await poller.poll(now);
    const before = consumer(first, 'LANES').num_pending;
    expect(before).toBeGreaterThan(0);

    // Busy and changed, but listed 1 s ago: carried forward (no longer exact). A stream whose
    // consumers do not filter is read as before.
    await js.publish('lanes.new', 'y');
    await js.publish('work.b', 'y');
    now += 1000;
    const soon = await poller.poll(now);
    expect(soon.relisted).toBe(1);
    expect(consumer(soon, 'LANES').num_pending).toBe(before);
    expect(consumer(soon, 'WORK').num_pending).toBe(consumer(first, 'WORK').num_pending + 1);
    // The streams themselves are read on every poll.
    const lastSeq = (snap: JetStreamSnapshot) =>
      snap.streams.find((s) => s.config.name === 'LANES')!.state.last_seq;
    expect(lastSeq(soon)).toBe(lastSeq(first) + 1);

    // Once BUSY_MS passed since its listing, it is read again.
    now += BUSY_MS;
    const later = await poller.poll(now);
    expect(later.relisted).toBe(2);
    expect(consumer(later, 'LANES').num_pending).toBe(before + 1);
  }, 30_000);
});
