import { readFileSync } from 'node:fs';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, createInbox, headers, type NatsConnection } from '@nats-io/transport-node';
import { SUBJECTS, TASKS_STREAM, type StatusEvent, type Task } from '../../api/task-wire';
import { WorkerPool } from '../../worker/pool';
import { startServer } from '../../test/harness';
import { builtinHandlers } from '../../worker/handlers/builtin';
import { WorkerRuntime } from '../../worker/runtime';
import { StatusPublisher } from '../../worker/status-publisher';
import { NORMAL_LANE, ensureTopology } from '../../nats/topology';
import { ratio, report, type BenchGroup } from '../lib';

/**
 * `pool`: N echo tasks drained by the in-process pool (1 and 2 threads, status events and
 * completion dedup included) versus a raw nats.js loop doing the same work per task.
 *
 * Fairness:
 * - Every run starts from a new TASKS stream holding the same N tasks (same ids scheme, same
 *   size) and its consumers; nothing else is published meanwhile.
 * - The baseline publishes the same `completed` event the runtime publishes (same fields, same
 *   `Nats-Msg-Id: <id>:completed`) and, like the runtime, acks a task only after a PubAck that
 *   is not an error, i.e. it keeps the exactly-once reporting guarantee rather than acking
 *   fire-and-forget.
 * - Rates are steady state: acked count sampled from the consumer (the same way for both) from
 *   10% to 90% of the tasks, so thread start-up and the tail do not count.
 * - The machine is shared, so its load drifts: BENCH_POOL_ROUNDS > 1 repeats the three runs
 *   in rotating order and reports each figure's median.
 */
const SCALE = Number(process.env.BENCH_SCALE ?? '1') || 1;
const TASKS = Math.max(1000, Math.round(200_000 * SCALE));
const CONCURRENCY = Number(process.env.BENCH_POOL_CONCURRENCY ?? '2048');
const ROUNDS = Math.max(1, Math.floor(Number(process.env.BENCH_POOL_ROUNDS ?? '1')) || 1);

type StartWorker = (url: string) => Promise<() => Promise<void>>;

/** `name`: tasks/s figure; `cpu`: CPU µs per task figure. */
const runs: { name: string; cpu: string; start: StartWorker }[] = [
  { name: 'baseline_worker_per_s', cpu: 'baseline_worker_cpu_us_per_task', start: rawWorker },
  { name: 'pool_tasks_per_s_1', cpu: 'pool_cpu_us_per_task_1', start: (url) => poolWorker(url, 1) },
  { name: 'pool_tasks_per_s_2', cpu: 'pool_cpu_us_per_task_2', start: (url) => poolWorker(url, 2) },
  // Diagnosis: the same runtime on the bench's own thread, without worker_threads.
  ...(process.env.BENCH_POOL_INPROCESS
    ? [{ name: 'runtime_inprocess_per_s', cpu: 'runtime_inprocess_cpu_us_per_task', start: inProcess }]
    : []),
];

export const group: BenchGroup = {
  name: 'pool',
  description: `${TASKS} echo tasks drained by the worker pool (1 and 2 threads) vs a raw consume+publish+ack loop${ROUNDS > 1 ? `, median of ${ROUNDS} rounds` : ''}`,
  async run() {
    const server = await startServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    const jsm = await jetstreamManager(nc);
    const results = new Map<string, Measured[]>(runs.map((r) => [r.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < runs.length; i++) {
        const run = runs[(i + round) % runs.length];
        await freshBacklog(nc, jsm);
        const m = await measure(jsm, server.proc?.pid, () => run.start(server.url));
        results.get(run.name)!.push(m);
        if (ROUNDS > 1)
          console.log(
            `# round ${round + 1} ${run.name} ${Math.round(m.rate)} (${m.cpuUsPerTask.toFixed(1)} cpu us/task)`,
          );
      }
    }
    const rate = (name: string) => median(results.get(name)!.map((m) => m.rate));
    for (const r of runs) report(r.name, rate(r.name), 'tasks/s');
    const baseline = rate('baseline_worker_per_s');
    const [one, two] = [rate('pool_tasks_per_s_1'), rate('pool_tasks_per_s_2')];
    ratio('pool_1_vs_baseline_ratio', one, baseline);
    ratio('pool_2_vs_baseline_ratio', two, baseline);
    ratio('pool_2_vs_1_ratio', two, one);
    // Cost per task, client process plus nats-server: steadier than rates on a loaded machine.
    for (const r of runs) report(r.cpu, median(results.get(r.name)!.map((m) => m.cpuUsPerTask)), 'us');
    await nc.close();
  },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * A new TASKS stream (not a purge: the 1 h duplicate window would keep every earlier run's ids
 * in the server's dedup map and slow later runs), its consumers, then TASKS echo tasks waiting.
 */
async function freshBacklog(nc: NatsConnection, jsm: JetStreamManager): Promise<void> {
  await jsm.streams.delete(TASKS_STREAM).catch(() => false);
  await ensureTopology(jsm);
  const pub = new StatusPublisher(nc, { maxInFlight: 4096 });
  const created_at = new Date().toISOString();
  const runId = Date.now().toString(36);
  const all: Promise<unknown>[] = [];
  for (let i = 0; i < TASKS; i++) {
    const task: Task = { id: `b${runId}-${i}`, type: 'echo', payload: { i }, created_at };
    all.push(pub.publish(SUBJECTS.new, JSON.stringify(task), task.id));
    if (pub.inFlight >= 4000) await all[all.length - 1];
  }
  await Promise.all(all);
  await pub.close();
}

interface Measured {
  /** Tasks/s between 10% and 90% acked. */
  rate: number;
  /** CPU (this process, every thread, plus nats-server) per task over the same window. */
  cpuUsPerTask: number;
}

/** Starts the worker, polls the consumer, measures rate and CPU between 10% and 90% acked. */
async function measure(
  jsm: JetStreamManager,
  serverPid: number | undefined,
  startWorker: () => Promise<() => Promise<void>>,
): Promise<Measured> {
  const stop = await startWorker();
  const lo = TASKS * 0.1;
  const hi = TASKS * 0.9;
  let t0 = 0;
  let a0 = 0;
  let cpu0 = 0;
  const deadline = Date.now() + 300_000;
  try {
    for (;;) {
      const ci = await jsm.consumers.info(TASKS_STREAM, NORMAL_LANE.consumer);
      const acked = TASKS - ci.num_pending - ci.num_ack_pending;
      const now = performance.now();
      if (!t0 && acked >= lo) {
        t0 = now;
        a0 = acked;
        cpu0 = cpuMicros(serverPid);
      }
      if (t0 && acked >= hi) {
        const cpu = cpuMicros(serverPid) - cpu0;
        return { rate: ((acked - a0) / (now - t0)) * 1000, cpuUsPerTask: cpu / (acked - a0) };
      }
      if (Date.now() > deadline) throw new Error(`not drained: ${acked}/${TASKS} acked`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await stop();
  }
}

/**
 * CPU µs used so far by this process (all threads) and nats-server. The machine is shared, so
 * wall-clock rates swing with other load; CPU per task shows the cost of each side regardless.
 */
function cpuMicros(serverPid: number | undefined): number {
  const own = process.cpuUsage();
  let server = 0;
  try {
    // /proc/<pid>/stat fields 14 and 15 (utime, stime) in clock ticks (100 Hz on Linux).
    const fields = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1].split(' ');
    server = (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    /* not Linux: client CPU only */
  }
  return own.user + own.system + server;
}

async function poolWorker(url: string, threads: number): Promise<() => Promise<void>> {
  const pool = new WorkerPool({
    connect: { servers: [url], auth: { kind: 'none' } },
    threads,
    concurrency: CONCURRENCY,
  });
  await pool.start();
  return async () => {
    await pool.stop(false);
  };
}

async function inProcess(url: string): Promise<() => Promise<void>> {
  const wnc = await connect({ servers: url, noAsyncTraces: true });
  const rt = new WorkerRuntime({
    nc: wnc,
    name: 'inproc',
    concurrency: CONCURRENCY,
    handlers: builtinHandlers,
  });
  await rt.start();
  return async () => {
    await rt.stop();
    await wnc.close();
  };
}

/**
 * The raw nats.js baseline on its own connection: consume (callback form, the fastest) →
 * the same `completed` event as the runtime, published with core publish and a reply on a
 * shared inbox (the fast path NATS-NOTES measured) → ack once the PubAck says it was stored.
 */
async function rawWorker(url: string): Promise<() => Promise<void>> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const js = jetstream(nc);
  const consumer = await js.consumers.get(TASKS_STREAM, NORMAL_LANE.consumer);
  const inbox = createInbox();
  const waiting = new Map<string, () => void>();
  const dec = new TextDecoder();
  let next = 0;
  nc.subscribe(`${inbox}.*`, {
    callback: (_e, m) => {
      const token = m.subject.slice(inbox.length + 1);
      const ack = waiting.get(token);
      waiting.delete(token);
      // Ack only what was stored (a duplicate counts: it was reported before); an error leaves
      // the task for redelivery, as the runtime does.
      if (ack && !dec.decode(m.data).includes('"error"')) ack();
    },
  });
  const messages = await consumer.consume({
    max_messages: 1000,
    callback: (m) => {
      const startedAt = Date.now();
      const task = JSON.parse(dec.decode(m.data)) as Task;
      const result = task.payload; // echo
      const now = Date.now();
      const at = new Date(now).toISOString();
      const ev: StatusEvent = {
        id: task.id,
        status: 'completed',
        at,
        attempt: m.info.deliveryCount,
        worker: 'raw',
        seq: m.seq,
        started_at: startedAt === now ? at : new Date(startedAt).toISOString(),
        duration_ms: now - startedAt,
        result,
      };
      const h = headers();
      h.set('Nats-Msg-Id', `${task.id}:completed`);
      const token = (++next).toString(36);
      waiting.set(token, () => m.ack());
      nc.publish(SUBJECTS.status('completed'), JSON.stringify(ev), {
        reply: `${inbox}.${token}`,
        headers: h,
      });
    },
  });
  return async () => {
    await messages.close();
    await nc.close();
  };
}
