/**
 * Replay of 100k messages (BENCH_SCALE shrinks it) through replay.start, against a raw
 * js.publish baseline (256 in flight) publishing the same number of messages, the Go client
 * doing the same replay (bench/go/ref replay: ordered consumer, async publish; where Go is here),
 * and the server's ceiling for the same replay (a bare socket client reading and re-publishing).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JobProgress } from '../../api/features/messages';
import { makeTestCore, startServer, type TestCore } from '../../test/harness';
import { ratio, report, type BenchGroup } from '../lib';
import { buildGo } from '../go';
import { headerText, hpubFrame, rawSocketReplay } from '../raw-socket';
import { msgHeaders } from '../../nats/publish/pub-ack';
import { seed } from './browse';

const SCALE = Number(process.env.BENCH_SCALE ?? '1') || 1;
const WARM = 5000;
const BASELINE_IN_FLIGHT = 256;
const PAYLOAD = '{"n":0,"pad":"xxxxxxxxxxxxxxxx"}';

export const group: BenchGroup = {
  name: 'replay',
  description: 'replay 100k messages to another subject vs raw js.publish',
  async run() {
    const n = Math.max(1000, Math.round(100_000 * SCALE));
    const server = await startServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    const t = makeTestCore();
    const go = await buildGo('replay');
    try {
      const jsm = await jetstreamManager(nc);
      for (const [name, subject] of [
        ['SRC', 'src.>'],
        ['DST', 'replayed.>'],
        ['BASE', 'base.>'],
        ['WARM', 'warm.>'],
        ['CEIL', 'ceil.>'],
        ['GOREPLAY', 'goreplay.>'],
        ['GOWARM', 'gowarm.>'],
      ])
        await jsm.streams.add({ name, subjects: [subject] });
      await seed(nc, (i) => `src.${i % 10}`, n, 'replay seed');
      await t.connectTo(server.url);

      // Warm both paths (JIT) as a long-running app would be, then measure.
      await baselinePublish(nc, 'warm', WARM);
      await replay(t, 'warm.>', WARM);
      const goReplay = (count: number, to: string) =>
        go!.run(['-s', server.url, '-stream', 'SRC', '-from', 'src.', '-to', to, '-n', String(count)]);
      // The Go program waits for as many messages as it is told: never more than SRC holds.
      if (go) await goReplay(Math.min(WARM, n), 'gowarm.');
      const baseline = await baselinePublish(nc, 'base', n);
      const c0 = process.cpuUsage();
      const ours = await replay(t, 'replayed.>');
      const cpu = process.cpuUsage(c0);
      const stored = (await jsm.streams.info('DST')).state.messages;
      if (stored !== n) throw new Error(`DST holds ${stored}, expected ${n}`);

      let goRate: number | undefined;
      if (go) {
        goRate = (await goReplay(n, 'goreplay.')).per_s;
        if ((await jsm.streams.info('GOREPLAY')).state.messages !== n)
          throw new Error('GOREPLAY is missing messages');
      }

      // The server's limit for this very work: a bare socket client pulls SRC and writes every
      // message back (mapped subject, replay header) with no client-side work to speak of.
      await jsm.consumers.add('SRC', {
        name: 'raw-replay',
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.All,
        mem_storage: true,
      });
      const ceiling = await rawSocketReplay(server.url, 'SRC', 'raw-replay', n, (subject, body, i, reply) => {
        const hdr = headerText(msgHeaders(undefined, { 'JetDeck-Replay-Of': `SRC:${i + 1}` }));
        return hpubFrame(`ceil.${subject.slice('src.'.length)}`, reply, hdr, body.toString('latin1'));
      });
      if ((await jsm.streams.info('CEIL')).state.messages !== n) throw new Error('CEIL is missing messages');

      report('replay_msgs_per_s', ours, 'msg/s');
      report('baseline_replay_publish_per_s', baseline, 'msg/s');
      ratio('replay_vs_baseline_ratio', ours, baseline);
      if (goRate !== undefined) {
        report('go_replay_msgs_per_s', goRate, 'msg/s');
        // Target ≥ 0.8: JetDeck's replay against the Go client doing the same replay.
        ratio('replay_vs_go_ratio', ours, goRate);
      }
      report('replay_messages', n, 'msgs');
      report('replay_server_ceiling_per_s', ceiling, 'msg/s');
      ratio('replay_vs_ceiling_ratio', ours, ceiling);
      // What the replay costs this process (reading, mapping, publishing, PubAcks) per message.
      report('replay_client_cpu_us_per_msg', (cpu.user + cpu.system) / n, 'us');
    } finally {
      go?.dispose();
      await t.dispose();
      await nc.close();
      await server.dispose();
    }
  },
};

/** Raw js.publish, 256 in flight (a sliding window), to `<prefix>.<0-9>`; returns msgs/s. */
async function baselinePublish(nc: NatsConnection, prefix: string, count: number): Promise<number> {
  const js = jetstream(nc);
  const payload = new TextEncoder().encode(PAYLOAD);
  const inFlight = new Set<Promise<unknown>>();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const p = js.publish(`${prefix}.${i % 10}`, payload);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= BASELINE_IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return (count * 1000) / (performance.now() - t0);
}

/** replay.start of SRC (up to `toSeq`) mapped onto `target`, to its last PubAck; returns msgs/s. */
async function replay(t: TestCore, target: string, toSeq?: number): Promise<number> {
  const r0 = performance.now();
  const job = await t.call('replay.start', {
    source: { stream: 'SRC', ...(toSeq ? { toSeq } : {}) },
    target: { kind: 'subject', subject: target, from: 'src.>' },
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
  if (done.failed || done.sent !== job.total)
    throw new Error(
      `replay sent ${done.sent}/${job.total}, failed ${done.failed}: ${done.errors[0]?.message ?? ''}`,
    );
  return (done.sent * 1000) / ms;
}
