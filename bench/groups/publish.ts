import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { SUBJECTS, TASKS_STREAM } from '../../api/task-wire';
import { BulkJob } from '../../core/tasks/bulk';
import { PubAckWindow } from '../../core/tasks/pub-ack-window';
import { TaskEncoder } from '../../core/tasks/task-builder';
import { inspectTopology } from '../../core/tasks/topology';
import { startServer } from '../../test/harness/nats-server';
import { ratio, report, type BenchGroup } from '../lib';

/**
 * `publish`: N tasks through JetDeck's publisher (sortable ids, JSON encoding, Nats-Msg-Id and
 * a user header, PubAck window with resend-on-timeout: exactly what `tasks.publishBulk` runs)
 * versus `js.publish` with msgID, 256 in flight, noAsyncTraces — same fresh server, same run,
 * stream purged between the two. Rate = acked tasks / wall time from first send to last ack.
 */
const SCALE = Number(process.env.BENCH_SCALE ?? '1') || 1;
const TASKS = Math.max(1000, Math.round(200_000 * SCALE));
const BASELINE_IN_FLIGHT = 256;
const PAYLOAD = { n: 1, note: 'bench' };

export const group: BenchGroup = {
  name: 'publish',
  description: `${TASKS} tasks through JetDeck's publisher vs js.publish (msgID, ${BASELINE_IN_FLIGHT} in flight)`,
  async run() {
    const server = await startServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    try {
      const jsm = await jetstreamManager(nc);
      const topo = await inspectTopology(jsm, 1, { create: true });
      if (topo.state === 'error') throw new Error(`TASKS not created: ${topo.error}`);

      // Warm both paths (JIT, server file blocks) before measuring.
      await jetdeckPublish(nc, 5000, 'warm');
      await baselinePublish(nc, 5000, 'warmb');
      await jsm.streams.purge(TASKS_STREAM);

      const baseline = await withCpu(TASKS, () => baselinePublish(nc, TASKS, 'b'));
      await assertStored(jsm, TASKS);
      await jsm.streams.purge(TASKS_STREAM);
      const ours = await withCpu(TASKS, () => jetdeckPublish(nc, TASKS, 'j'));
      await assertStored(jsm, TASKS);

      report('publish_tasks_per_s', ours.rate, 'tasks/s');
      report('baseline_publish_per_s', baseline.rate, 'msgs/s');
      ratio('publish_ratio', ours.rate, baseline.rate);
      // Client CPU per message: what the publisher itself costs, less sensitive to a busy machine.
      report('publish_client_cpu_us_per_task', ours.cpuUs, 'us');
      report('baseline_publish_client_cpu_us_per_msg', baseline.cpuUs, 'us');
    } finally {
      await nc.close();
      await server.dispose();
    }
  },
};

async function jetdeckPublish(nc: NatsConnection, count: number, idPrefix: string): Promise<number> {
  const window = new PubAckWindow(nc);
  const encoder = new TaskEncoder(
    { type: 'echo', payload: PAYLOAD, headers: { 'X-Bench': 'publish' } },
    nc.info?.max_payload ?? 1 << 20,
  );
  // Generated sortable ids (as the UI's bulk publish does); the prefix only separates runs.
  void idPrefix;
  const job = new BulkJob(`bench-${idPrefix}`, window, encoder, { count });
  const t0 = performance.now();
  const p = await job.run();
  const ms = performance.now() - t0;
  window.close();
  if (p.acked !== count || p.failed || p.duplicates) throw new Error(`publisher: ${JSON.stringify(p)}`);
  return (count * 1000) / ms;
}

async function baselinePublish(nc: NatsConnection, count: number, idPrefix: string): Promise<number> {
  const js = jetstream(nc);
  const body = JSON.stringify({ type: 'echo', payload: PAYLOAD, created_at: new Date().toISOString() });
  const inflight = new Set<Promise<unknown>>();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const p = js.publish(SUBJECTS.new, body, { msgID: `${idPrefix}-${i}` });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    if (inflight.size >= BASELINE_IN_FLIGHT) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return (count * 1000) / (performance.now() - t0);
}

async function withCpu(count: number, fn: () => Promise<number>): Promise<{ rate: number; cpuUs: number }> {
  const c0 = process.cpuUsage();
  const rate = await fn();
  const c = process.cpuUsage(c0);
  return { rate, cpuUs: (c.user + c.system) / count };
}

async function assertStored(jsm: JetStreamManager, count: number): Promise<void> {
  const si = await jsm.streams.info(TASKS_STREAM);
  if (si.state.messages !== count)
    throw new Error(`expected ${count} messages in ${TASKS_STREAM}, found ${si.state.messages}`);
}
