import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Advisory } from '../../api/features/monitor';
import { APP_USER, startAuthCluster } from '../harness/cluster-auth';
import { makeTestCore, type TestCore } from '../harness/core';
import type { TestCluster } from '../harness/nats-server';
import { connectWith, nextEvent, waitFor } from './helpers';

let cluster: TestCluster;
let tc: TestCore;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  cluster = await startAuthCluster(3);
  tc = makeTestCore();
  await connectWith(tc, 'system', cluster.urls);
  await tc.call('monitor.config.set', { intervalMs: 250 });
  await tc.call('monitor.sources'); // the session (and its advisory subscriptions) is up
  nc = await connect({ servers: cluster.urls, user: APP_USER.user, pass: APP_USER.password });
  jsm = await jetstreamManager(nc);
}, 40_000);
afterAll(async () => {
  await nc?.close();
  await tc?.dispose();
  await cluster?.dispose();
});

/** Waits for an advisory of `kind` (optionally about `consumer`) in the feed. */
async function advisory(kind: Advisory['kind'], consumer?: string): Promise<Advisory> {
  return waitFor(
    async () => {
      const page = await tc.call('monitor.advisories.list', { filter: { kinds: [kind], consumer } });
      return page.advisories[page.advisories.length - 1];
    },
    `${kind} advisory${consumer ? ` for ${consumer}` : ''}`,
  );
}

describe('advisories', () => {
  it('max deliveries, nak and terminated arrive, filterable, searchable and exportable', async () => {
    await jsm.streams.add({ name: 'ADV', subjects: ['adv.>'], num_replicas: 3 });
    await jsm.consumers.add('ADV', {
      durable_name: 'naker',
      ack_policy: AckPolicy.Explicit,
      max_deliver: 2,
      filter_subject: 'adv.nak',
    });
    await jsm.consumers.add('ADV', {
      durable_name: 'termer',
      ack_policy: AckPolicy.Explicit,
      filter_subject: 'adv.term',
    });
    const batches: Advisory[] = [];
    const off = tc.core.bus.on('monitor.advisories', (b) => batches.push(...b.advisories));
    const js = jetstream(nc);
    await js.publish('adv.nak', 'x');
    await js.publish('adv.term', 'y');

    const naker = await js.consumers.get('ADV', 'naker');
    for (let i = 0; i < 2; i++) {
      const m = await naker.next({ expires: 5000 });
      expect(m?.info.deliveryCount).toBe(i + 1);
      m?.nak();
    }
    // The server checks max_deliver when it next tries to deliver, so ask once more: nothing comes.
    expect(await naker.next({ expires: 1500 })).toBeNull();
    const termer = await js.consumers.get('ADV', 'termer');
    (await termer.next({ expires: 5000 }))?.term();

    const max = await advisory('max_deliver', 'naker');
    expect(max).toMatchObject({
      stream: 'ADV',
      consumer: 'naker',
      severity: 'warn',
      type: 'io.nats.jetstream.advisory.v1.max_deliver',
    });
    expect(max.summary).toMatch(/max deliveries \(2\)/);
    await advisory('nak', 'naker');
    const term = await advisory('terminated', 'termer');
    expect(term.type).toBe('io.nats.jetstream.advisory.v1.terminated');
    await advisory('consumer_created', 'naker');

    // pushed as batched events too
    await waitFor(
      () => batches.some((a) => a.kind === 'terminated'),
      'terminated in a monitor.advisories batch',
    );
    off();

    const found = await tc.call('monitor.advisories.list', { filter: {}, q: 'TERMER' });
    expect(found.advisories.length).toBeGreaterThan(0);
    expect(found.advisories.every((a) => JSON.stringify(a).toLowerCase().includes('termer'))).toBe(true);
    const exp = await tc.call('monitor.advisories.export', {
      filter: { kinds: ['max_deliver', 'terminated'] },
    });
    const lines = exp.jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Advisory);
    expect(lines.length).toBe(exp.count);
    expect(new Set(lines.map((l) => l.kind))).toEqual(new Set(['max_deliver', 'terminated']));
  }, 40_000);

  it('a stream leader stepdown raises leader_elected', async () => {
    await jsm.streams.add({ name: 'LEAD', subjects: ['lead.>'], num_replicas: 3 });
    const before = (await jsm.streams.info('LEAD')).cluster?.leader;
    await waitFor(
      async () =>
        (await tc.call('monitor.advisories.list', { filter: { kinds: ['leader_elected'], stream: 'LEAD' } }))
          .total > 0,
      'initial election',
    );
    const r = await nc.request('$JS.API.STREAM.LEADER.STEPDOWN.LEAD', '', { timeout: 5000 });
    expect(JSON.parse(r.string())).toMatchObject({ success: true });
    // Stepdown hands leadership to another peer: an election naming a different leader arrives.
    const after = await waitFor(async () => {
      const page = await tc.call('monitor.advisories.list', {
        filter: { kinds: ['leader_elected'], stream: 'LEAD' },
      });
      return page.advisories.find((a) => (a.data as { leader?: string }).leader !== before);
    }, 'leader_elected after stepdown');
    expect(after.summary).toMatch(/new leader/);
    expect(after.severity).toBe('info');
  }, 40_000);
});

describe('health checks', () => {
  it('a consumer over its pending threshold flips to WARN then CRIT with an alert, and back to OK when drained', async () => {
    await jsm.streams.add({ name: 'HLT', subjects: ['hlt.>'], num_replicas: 1 });
    await jsm.consumers.add('HLT', { durable_name: 'slow', ack_policy: AckPolicy.Explicit });
    await tc.call('monitor.config.set', {
      notifications: 'crit',
      thresholds: { overrides: { 'consumer:HLT/slow': { maxPending: { warn: 5, crit: 20 } } } },
    });
    const key = 'consumer:HLT/slow';
    const status = async () => (await tc.call('monitor.health')).entries[key]?.status;
    await waitFor(async () => (await status()) === 'OK', 'OK badge');

    // Each step reaches the stream in one write: a sample (every 250 ms) taken between single
    // publishes would see a pending count in between (WARN at 7, or no sample at 30).
    const burst = async (count: number, stored: number) => {
      for (let i = 0; i < count; i++) nc.publish('hlt.a', String(i));
      await nc.flush();
      await waitFor(
        async () => (await jsm.streams.info('HLT')).state.messages === stored,
        `${stored} stored`,
      );
    };
    const warned = nextEvent(tc.core, 'monitor.health', (c) =>
      c.changes.some((x) => x.key === key && x.to === 'WARN'),
    );
    await burst(10, 10);
    const w = await warned;
    expect(w.changes.find((x) => x.key === key)?.entry?.reasons[0]).toMatchObject({
      check: 'maxPending',
      status: 'WARN',
      value: 10,
    });

    const alert = nextEvent(tc.core, 'monitor.alert', (a) => a.key === key);
    await burst(20, 30);
    await waitFor(async () => (await status()) === 'CRIT', 'CRIT badge');
    const a = await alert;
    expect(a).toMatchObject({ severity: 'crit', title: 'Consumer HLT › slow is CRIT' });
    expect((await tc.call('monitor.health')).overall).toBe('CRIT');

    const c = await jetstream(nc).consumers.get('HLT', 'slow');
    const msgs = await c.fetch({ max_messages: 30, expires: 5000 });
    for await (const m of msgs) m.ack();
    await waitFor(async () => (await status()) === 'OK', 'OK after draining');

    // the consumer's series is in the history, and drained means time-to-drain 0
    const h = await tc.call('monitor.history', { range: '5m', series: ['consumer:HLT/slow:'] });
    const pending = h.series['consumer:HLT/slow:pending'];
    expect(Math.max(...pending.filter((v): v is number => v !== null))).toBe(30);
    const ttd = h.series['consumer:HLT/slow:ttd_sec'];
    expect(ttd[ttd.length - 1]).toBe(0);
  }, 40_000);

  it('rejects bad thresholds at the boundary', async () => {
    await expect(
      tc.call('monitor.config.set', { thresholds: { consumer: { maxPending: { warn: 10, crit: 5 } } } }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(
      tc.call('monitor.config.set', { thresholds: { overrides: { 'bogus key': {} } } }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(tc.call('monitor.config.set', { intervalMs: 10 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
