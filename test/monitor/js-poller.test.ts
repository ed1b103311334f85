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
    expect(first.streams.map((s) => s.config.name).sort()).toEqual(['EMPTY', 'QUIET', 'WORK']);
    expect(first.relisted).toBe(2); // a stream without consumers needs no CONSUMER.LIST
    expect(first.consumers).toHaveLength(2);

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
    expect((await poller.poll(now)).relisted).toBe(2);
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
});
