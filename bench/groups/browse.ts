/**
 * Message browser on a stream of 1,000,000 small messages (BENCH_SCALE shrinks it): time to
 * the first page of 100 at the first, middle and last sequence and by time, time to the next
 * page, and the process's peak RSS while browsing.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { PageStart } from '../../api/features/messages';
import { FastPublisher } from '../../core/replay/publisher';
import { makeTestCore, startServer } from '../../test/harness';
import { percentile, report, type BenchGroup } from '../lib';

const SCALE = Number(process.env.BENCH_SCALE ?? '1') || 1;
const PAGE = 100;
const ROUNDS = 20;

/** Seeds `n` messages with core publish + PubAck counting; progress on stderr. */
export async function seed(
  nc: NatsConnection,
  subject: (i: number) => string,
  n: number,
  label: string,
): Promise<number> {
  let acked = 0;
  let failed = 0;
  const pub = new FastPublisher(nc, (ok) => (ok ? acked++ : failed++), 8192, 30_000);
  const payload = new TextEncoder().encode('{"n":0,"pad":"xxxxxxxxxxxxxxxx"}');
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const room = pub.ready();
    if (room) await room;
    pub.send(subject(i), payload);
    if (i % 100_000 === 0 && i) process.stderr.write(`  ${label}: ${i}/${n} published\n`);
  }
  await pub.drain();
  pub.close();
  const rate = (acked * 1000) / (performance.now() - t0);
  process.stderr.write(`  ${label}: ${acked} stored, ${failed} failed, ${Math.round(rate)} msg/s\n`);
  if (failed) throw new Error(`${failed} seed publishes failed`);
  return rate;
}

export const group: BenchGroup = {
  name: 'browse',
  description: 'message browser: first/next page of 100 on a 1M-message stream, peak RSS',
  async run() {
    const n = Math.max(1000, Math.round(1_000_000 * SCALE));
    const server = await startServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'BROWSE', subjects: ['browse.>'] });
    await seed(nc, (i) => `browse.${i % 10}`, n, 'browse seed');

    const t = makeTestCore();
    await t.connectTo(server.url);
    const si = await jsm.streams.info('BROWSE');
    const firstTs = Date.parse(si.state.first_ts);
    const lastTs = Date.parse(si.state.last_ts);

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);

    const positions: Record<string, PageStart> = {
      first: { kind: 'first' },
      middle: { kind: 'seq', seq: Math.floor(n / 2) },
      last: { kind: 'last' },
      time: { kind: 'time', time: new Date(firstTs + (lastTs - firstTs) * 0.3).toISOString() },
    };
    const all: number[] = [];
    const next: number[] = [];
    for (const [label, start] of Object.entries(positions)) {
      const times: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const t0 = performance.now();
        const page = await t.call('messages.page', { stream: 'BROWSE', start, pageSize: PAGE });
        times.push(performance.now() - t0);
        if (page.messages.length !== PAGE) throw new Error(`${label}: got ${page.messages.length} messages`);
        const cursor = page.nextCursor ?? page.prevCursor;
        if (cursor) {
          const t1 = performance.now();
          const p2 = await t.call('messages.page', {
            stream: 'BROWSE',
            start: { kind: 'cursor', cursor },
            pageSize: PAGE,
          });
          next.push(performance.now() - t1);
          if (p2.messages.length !== PAGE)
            throw new Error(`${label} next: got ${p2.messages.length} messages`);
        }
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      report(`browse_first_page_${label}_p95_ms`, percentile(times, 95), 'ms');
    }
    // A filtered page (one subject in ten) from the middle.
    const filtered: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      await t.call('messages.page', {
        stream: 'BROWSE',
        start: positions.middle,
        subject: 'browse.7',
        pageSize: PAGE,
        withTotal: false,
      });
      filtered.push(performance.now() - t0);
    }
    clearInterval(sampler);
    all.sort((a, b) => a - b);
    next.sort((a, b) => a - b);
    filtered.sort((a, b) => a - b);
    report('browse_first_page_p95_ms', percentile(all, 95), 'ms');
    report('browse_next_page_p95_ms', percentile(next, 95), 'ms');
    report('browse_filtered_page_p95_ms', percentile(filtered, 95), 'ms');
    report('browse_peak_rss_mb', peakRss / 1024 / 1024, 'MB');
    report('browse_stream_messages', n, 'msgs');
    await t.dispose();
    await nc.close();
  },
};
