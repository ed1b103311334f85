import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, createInbox, headers, type NatsConnection } from '@nats-io/transport-node';
import { SUBJECTS, TASKS_STREAM, type StatusEvent, type Task } from '../../api/task-wire';
import { WorkerPool } from '../../core/workers/pool';
import { startServer } from '../../test/harness/nats-server';
import { StatusPublisher } from '../../worker/status-publisher';
import { NORMAL_LANE, ensureTopology } from '../../worker/topology';
import { ratio, report, type BenchGroup } from '../lib';

/**
 * `pool`: N echo tasks drained by the in-process pool (1 and 2 threads, status events and
 * completion dedup included) versus a raw nats.js loop doing the same work: consume with a
 * callback, publish the completion (Nats-Msg-Id, PubAck counted on a shared inbox), ack.
 * Rates are steady-state: from 10% to 90% of the tasks acked, so thread start-up and the tail
 * do not count for either side.
 */
const SCALE = Number(process.env.BENCH_SCALE ?? '1') || 1;
const TASKS = Math.max(1000, Math.round(200_000 * SCALE));
const CONCURRENCY = Number(process.env.BENCH_POOL_CONCURRENCY ?? '2048');

export const group: BenchGroup = {
  name: 'pool',
  description: `${TASKS} echo tasks drained by the worker pool (1 and 2 threads) vs a raw consume+publish+ack loop`,
  async run() {
    const server = await startServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    const jsm = await jetstreamManager(nc);

    await freshBacklog(nc, jsm);
    const baseline = await measure(jsm, async () => {
      const stop = await rawWorker(server.url);
      return stop;
    });
    report('baseline_worker_per_s', baseline, 'tasks/s');

    const rates: number[] = [];
    for (const threads of [1, 2]) {
      await freshBacklog(nc, jsm);
      const rate = await measure(jsm, async () => {
        const pool = new WorkerPool({
          connect: { servers: [server.url], auth: { kind: 'none' } },
          threads,
          concurrency: CONCURRENCY,
        });
        await pool.start();
        return async () => {
          await pool.stop(false);
        };
      });
      rates.push(rate);
      report(`pool_tasks_per_s_${threads}`, rate, 'tasks/s');
    }
    ratio('pool_1_vs_baseline_ratio', rates[0], baseline);
    ratio('pool_2_vs_baseline_ratio', rates[1], baseline);
    ratio('pool_2_vs_1_ratio', rates[1], rates[0]);
    await nc.close();
  },
};

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

/** Starts the worker, polls the consumer, returns tasks/s between 10% and 90% acked. */
async function measure(
  jsm: JetStreamManager,
  startWorker: () => Promise<() => Promise<void>>,
): Promise<number> {
  const stop = await startWorker();
  const lo = TASKS * 0.1;
  const hi = TASKS * 0.9;
  let t0 = 0;
  let a0 = 0;
  const deadline = Date.now() + 300_000;
  try {
    for (;;) {
      const ci = await jsm.consumers.info(TASKS_STREAM, NORMAL_LANE.consumer);
      const acked = TASKS - ci.num_pending - ci.num_ack_pending;
      const now = performance.now();
      if (!t0 && acked >= lo) {
        t0 = now;
        a0 = acked;
      }
      if (t0 && acked >= hi) return ((acked - a0) / (now - t0)) * 1000;
      if (Date.now() > deadline) throw new Error(`not drained: ${acked}/${TASKS} acked`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await stop();
  }
}

/** The raw nats.js baseline on its own connection: consume callback → completion publish → ack on PubAck. */
async function rawWorker(url: string): Promise<() => Promise<void>> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const js = jetstream(nc);
  const consumer = await js.consumers.get(TASKS_STREAM, NORMAL_LANE.consumer);
  const inbox = createInbox();
  const waiting = new Map<string, () => void>();
  let next = 0;
  nc.subscribe(`${inbox}.*`, {
    callback: (_e, m) => {
      const token = m.subject.slice(inbox.length + 1);
      const ack = waiting.get(token);
      waiting.delete(token);
      ack?.();
    },
  });
  const dec = new TextDecoder();
  const messages = await consumer.consume({
    max_messages: 1000,
    callback: (m) => {
      const task = JSON.parse(dec.decode(m.data)) as Task;
      const ev: StatusEvent = {
        id: task.id,
        status: 'completed',
        at: new Date().toISOString(),
        attempt: m.info.deliveryCount,
        worker: 'raw',
        result: task.payload,
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
