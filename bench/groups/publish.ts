import { readFileSync } from 'node:fs';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { SUBJECTS, TASKS_STREAM } from '../../api/task-wire';
import { BulkJob } from '../../core/tasks/bulk';
import { PubAckWindow } from '../../core/tasks/pub-ack-window';
import { TaskEncoder } from '../../core/tasks/task-builder';
import { inspectTopology } from '../../nats/topology';
import { startServer } from '../../test/harness';
import { ratio, report, type BenchGroup } from '../lib';
import { buildGo } from '../go';
import { headerText, hpubFrame, rawSocketPublish } from '../raw-socket';
import { msgHeaders } from '../../nats/publish/pub-ack';

/**
 * `publish`: N tasks through JetDeck's publisher (sortable ids, JSON encoding, Nats-Msg-Id and
 * a user header, PubAck window with resend-on-timeout: exactly what `tasks.publishBulk` runs)
 * versus `js.publish` with msgID, 256 in flight, noAsyncTraces — same fresh server, same run,
 * stream purged between runs. Rate = acked tasks / wall time from first send to last ack. The
 * reference is the Go client's async publish with msg ids (bench/go/ref publish, where Go is here),
 * same server, same run. A bare socket client sending the same frames gives the server's
 * ceiling on this machine in this run.
 *
 * CPU per message, client and server, for each publisher (the server's from /proc: Linux only):
 * where the client and nats-server share the machine's cores, a publisher's rate is bounded by
 * cores ÷ (its CPU + the server's CPU per message), so these say where a gap to Go comes from.
 */
const SCALE = Number(process.env.BENCH_SCALE ?? '1') || 1;
const TASKS = Math.max(1000, Math.round(200_000 * SCALE));
const BASELINE_IN_FLIGHT = 256;
const PAYLOAD = { n: 1, note: 'bench' };
const BENCH_HEADERS = { 'X-Bench': 'publish' };

export const group: BenchGroup = {
  name: 'publish',
  description: `${TASKS} tasks through JetDeck's publisher vs js.publish (msgID, ${BASELINE_IN_FLIGHT} in flight)`,
  async run() {
    const server = await startServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    const go = await buildGo('publish');
    try {
      const jsm = await jetstreamManager(nc);
      // Each measurement gets a new TASKS stream: a purge keeps the dedup map of earlier runs.
      const fresh = async (): Promise<void> => {
        await jsm.streams.delete(TASKS_STREAM).catch(() => false);
        const topo = await inspectTopology(jsm, 1, { create: true });
        if (topo.state === 'error') throw new Error(`TASKS not created: ${topo.error}`);
      };
      await fresh();
      // Warm all paths (JIT, server file blocks) before measuring.
      await jetdeckPublish(nc, 5000, 'warm');
      await baselinePublish(nc, 5000, 'warmb');
      await rawCeiling(server.url, 5000);
      const goArgs = (n: number, prefix: string): string[] => [
        '-s',
        server.url,
        '-subject',
        SUBJECTS.new,
        '-n',
        String(n),
        '-id-prefix',
        prefix,
      ];
      if (go) await go.run(goArgs(5000, 'gowarm'));

      const serverPid = server.proc?.pid;
      await fresh();
      const baseline = await withCpu(TASKS, () => baselinePublish(nc, TASKS, 'b'));
      await assertStored(jsm, TASKS);
      await fresh();
      const ours = await serverCpu(serverPid, TASKS, () =>
        withCpu(TASKS, () => jetdeckPublish(nc, TASKS, 'j')),
      );
      await assertStored(jsm, TASKS);
      let goRun: { per_s: number; cpu_us: number; serverUs?: number } | undefined;
      if (go) {
        await fresh();
        goRun = await serverCpu(serverPid, TASKS, () => go.run(goArgs(TASKS, 'go')));
        await assertStored(jsm, TASKS);
      }
      await fresh();
      const ceiling = await serverCpu(serverPid, TASKS, async () => ({
        rate: await rawCeiling(server.url, TASKS),
      }));
      await assertStored(jsm, TASKS);
      const goRate = goRun?.per_s;

      report('publish_tasks_per_s', ours.rate, 'tasks/s');
      report('baseline_publish_per_s', baseline.rate, 'msgs/s');
      ratio('publish_ratio', ours.rate, baseline.rate);
      if (goRate !== undefined) {
        report('go_publish_per_s', goRate, 'msgs/s');
        // Target ≥ 1.0: JetDeck's publisher keeps up with the Go client's async publish.
        ratio('publish_vs_go_ratio', ours.rate, goRate);
      }
      report('publish_server_ceiling_per_s', ceiling.rate, 'tasks/s');
      ratio('publish_vs_ceiling_ratio', ours.rate, ceiling.rate);
      // Client CPU per message: what the publisher itself costs, less sensitive to a busy machine.
      report('publish_client_cpu_us_per_task', ours.cpuUs, 'us');
      report('baseline_publish_client_cpu_us_per_msg', baseline.cpuUs, 'us');
      // The Go client's, all its goroutines (the bare socket client's is near zero by design).
      if (goRun && goRun.cpu_us >= 0) report('go_publish_client_cpu_us_per_msg', goRun.cpu_us / TASKS, 'us');
      // nats-server's CPU per message while each publisher ran (the same work: store + PubAck).
      if (ours.serverUs !== undefined) report('publish_server_cpu_us_per_task', ours.serverUs, 'us');
      if (goRun?.serverUs !== undefined) report('go_publish_server_cpu_us_per_msg', goRun.serverUs, 'us');
      if (ceiling.serverUs !== undefined)
        report('publish_server_ceiling_server_cpu_us_per_task', ceiling.serverUs, 'us');
    } finally {
      go?.dispose();
      await nc.close();
      await server.dispose();
    }
  },
};

async function jetdeckPublish(nc: NatsConnection, count: number, idPrefix: string): Promise<number> {
  const window = new PubAckWindow(nc);
  const encoder = new TaskEncoder(
    { type: 'echo', payload: PAYLOAD, headers: BENCH_HEADERS },
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

/** The same tasks (body, Nats-Msg-Id, X-Bench) as bare frames on a socket: the server's limit here. */
function rawCeiling(url: string, count: number): Promise<number> {
  const encoder = new TaskEncoder({ type: 'echo', payload: PAYLOAD }, 1 << 20);
  const createdAt = new Date().toISOString();
  return rawSocketPublish(url, count, (i, reply) => {
    const id = `raw-${i}`;
    return hpubFrame(
      SUBJECTS.new,
      reply,
      headerText(msgHeaders(id, BENCH_HEADERS)),
      encoder.json(id, createdAt),
    );
  });
}

async function withCpu(count: number, fn: () => Promise<number>): Promise<{ rate: number; cpuUs: number }> {
  const c0 = process.cpuUsage();
  const rate = await fn();
  const c = process.cpuUsage(c0);
  return { rate, cpuUs: (c.user + c.system) / count };
}

/** `fn`'s result with the server's CPU µs per message while it ran (undefined without /proc). */
async function serverCpu<T extends object>(
  pid: number | undefined,
  count: number,
  fn: () => Promise<T>,
): Promise<T & { serverUs?: number }> {
  const c0 = processCpuUs(pid);
  const r = await fn();
  const c1 = processCpuUs(pid);
  return { ...r, serverUs: c0 !== undefined && c1 !== undefined ? (c1 - c0) / count : undefined };
}

/** USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux we run on. */
const CLOCK_TICKS_PER_S = 100;

/** CPU time (user + system, µs) process `pid` has used so far, from /proc; undefined elsewhere. */
function processCpuUs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is the first, utime the 12th, stime the 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

async function assertStored(jsm: JetStreamManager, count: number): Promise<void> {
  const si = await jsm.streams.info(TASKS_STREAM);
  if (si.state.messages !== count)
    throw new Error(`expected ${count} messages in ${TASKS_STREAM}, found ${si.state.messages}`);
}
