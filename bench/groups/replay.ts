/**
 * Replay of 100k messages (BENCH_SCALE shrinks it) through replay.start, against a raw
 * js.publish baseline (256 in flight) publishing the same number of messages.
 */
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JobProgress } from '../../api/features/messages';
import { makeTestCore } from '../../test/harness/core';
import { startServer } from '../../test/harness/nats-server';
import { ratio, report, type BenchGroup } from '../lib';
import { seed } from './browse';

const SCALE = Number(process.env.BENCH_SCALE ?? '1') || 1;

export const group: BenchGroup = {
  name: 'replay',
  description: 'replay 100k messages to another subject vs raw js.publish',
  async run() {
    const n = Math.max(1000, Math.round(100_000 * SCALE));
    const server = await startServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'SRC', subjects: ['src.>'] });
    await jsm.streams.add({ name: 'DST', subjects: ['replayed.>'] });
    await jsm.streams.add({ name: 'BASE', subjects: ['base.>'] });
    await seed(nc, (i) => `src.${i % 10}`, n, 'replay seed');

    // Baseline: raw js.publish, 256 in flight.
    const js = jetstream(nc);
    const payload = new TextEncoder().encode('{"n":0,"pad":"xxxxxxxxxxxxxxxx"}');
    const t0 = performance.now();
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      inFlight.push(js.publish(`base.${i % 10}`, payload));
      if (inFlight.length >= 256) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    const baseline = (n * 1000) / (performance.now() - t0);

    const t = makeTestCore();
    await t.connectTo(server.url);
    const r0 = performance.now();
    const job = await t.call('replay.start', {
      source: { stream: 'SRC' },
      target: { kind: 'subject', subject: 'replayed.>', from: 'src.>' },
    });
    const done = await new Promise<JobProgress>((resolve) => {
      const off = t.core.bus.on('replay.progress', (p) => {
        if (p.jobId === job.jobId && p.done) {
          off();
          resolve(p);
        }
      });
    });
    const ms = performance.now() - r0;
    if (done.sent !== n)
      throw new Error(
        `replay sent ${done.sent}/${n}, failed ${done.failed}: ${done.errors[0]?.message ?? ''}`,
      );
    const stored = (await jsm.streams.info('DST')).state.messages;
    if (stored !== n) throw new Error(`DST holds ${stored}, expected ${n}`);
    const ours = (n * 1000) / ms;
    report('replay_msgs_per_s', ours, 'msg/s');
    report('baseline_replay_publish_per_s', baseline, 'msg/s');
    ratio('replay_vs_baseline_ratio', ours, baseline);
    report('replay_messages', n, 'msgs');
    await t.dispose();
    await nc.close();
  },
};
