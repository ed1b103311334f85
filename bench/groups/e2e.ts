/**
 * `e2e`: 1,000,000 echo tasks (BENCH_SCALE shrinks it) from a producer through the pool, first
 * with the pool alone (`jetdeck worker --threads 2`), then through `jetdeck serve --workers 2`
 * with the task list live (GET /api/tasks polled every second) on a fresh TASKS stream: tasks/s
 * end to end for both and their ratio, serve's RSS over the run, and whether the counts serve
 * reports equal what the stream holds (and how long its state takes to catch up after the flow).
 *
 * End to end = from the first publish until the stream holds N `completed` events; the
 * producer publishes all N with the fast publisher while the pool drains.
 *
 * The ceiling beside the ratio: the pool-alone flow's CPU and the state's (the fold-only phase)
 * spread over every core of this machine with no interference; where the pool alone already
 * keeps the cores busy, every µs the state costs comes out of the pool's share.
 *
 * Where serve's RSS goes: `JETDECK_MEM_LOG=<file>` (read by serve itself, passed through) makes
 * serve append its memory once a second (rss, heap, external, array buffers, each V8 heap space
 * of its main thread); rss minus the main heap and external is mostly the pool's threads.
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { TaskList } from '../../api/features/tasks';
import { msgHeaders } from '../../nats/publish/pub-ack';
import { FastPublisher } from '../../core/replay/publisher';
import { startServer } from '../../test/harness';
import { ensureTopology } from '../../nats/topology';
import { availableParallelism } from 'node:os';
import { ratio, report, type BenchGroup } from '../lib';
import { JetdeckProcess, cpuSeconds, ensureCliBuilt } from '../state/processes';

const SCALE = Number(process.env.BENCH_SCALE ?? '1') || 1;
const N = Math.max(2000, Math.round(1_000_000 * SCALE));
/**
 * Pool threads on both sides (BENCH_E2E_THREADS, default 2). With 1, the pool alone leaves a
 * core's worth of room on a 2-core machine: how end to end fares where the state has room.
 */
const THREADS = String(Math.max(1, Number(process.env.BENCH_E2E_THREADS ?? 2) || 2));

export const group: BenchGroup = {
  name: 'e2e',
  description: `${N} tasks from a producer: pool alone vs serve --workers ${THREADS} with the task list live`,
  async run() {
    // BENCH_FROM_SOURCES=1 skips it (a missing or stale build then runs the sources through tsx).
    if (!process.env.BENCH_FROM_SOURCES) ensureCliBuilt();
    // BENCH_NATS_PROF_PORT: nats-server's profiling port (go tool pprof http://127.0.0.1:<port>/debug/pprof/profile).
    const prof = Number(process.env.BENCH_NATS_PROF_PORT ?? 0);
    const server = await startServer(prof ? { extraConfig: `prof_port: ${prof}` } : {});
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    const jsm = await jetstreamManager(nc);

    await fresh(jsm);
    const worker = new JetdeckProcess([
      'worker',
      '--nats',
      server.url,
      '--threads',
      THREADS,
      '--summary-every',
      '0',
    ]);
    await worker.start(/worker \S+: /);
    await pullersWaiting(jsm);
    const aloneRss: number[] = [];
    const sampleAlone = setInterval(() => aloneRss.push(worker.rss()), 1000);
    const cpu0 = [cpuSeconds(worker.pid), cpuSeconds(server.proc?.pid)];
    const alone = await flow(nc, jsm, 'pool alone');
    clearInterval(sampleAlone);
    const aloneCpu = [cpuSeconds(worker.pid) - cpu0[0], cpuSeconds(server.proc?.pid) - cpu0[1]];
    report('e2e_pool_alone_cpu_s', aloneCpu[0], 's');
    report('e2e_pool_alone_server_cpu_s', aloneCpu[1], 's');
    await worker.stop();
    report('e2e_pool_alone_tasks_per_s', alone.rate, 'tasks/s');
    // The same pool in its own process, for scale: how much of serve's RSS is the pool's.
    report('e2e_pool_alone_rss_max_mb', Math.max(0, ...aloneRss) / 1048576, 'MB');

    // The state alone, on the stream the pool just made: serve without workers folds it from the
    // start. Same messages in the same order as in the live run, without the pool beside it.
    const stateCpu = await foldOnly(server, jsm);
    // BENCH_E2E_FOLD_ONLY=1: stop here (measuring the state's own cost, without the serve run).
    if (process.env.BENCH_E2E_FOLD_ONLY) {
      await nc.close();
      return;
    }

    await fresh(jsm);
    const serve = new JetdeckProcess([
      'serve',
      '--nats',
      server.url,
      '--port',
      '0',
      '--no-open',
      '--workers',
      THREADS,
    ]);
    await serve.start(/worker pool started/);
    await pullersWaiting(jsm);
    const rss: number[] = [];
    let last: TaskList | undefined;
    let polls = 0;
    /** The index's lag (TASKS messages not folded yet) at each poll, in thousands. */
    const lags: number[] = [];
    /** How long each poll of the list took to answer (ms). */
    const answers: number[] = [];
    const live = setInterval(() => {
      rss.push(serve.rss());
      const asked = performance.now();
      void serve
        .api<TaskList>('/api/tasks?limit=100')
        .then((l) => {
          answers.push(performance.now() - asked);
          last = l;
          polls++;
          lags.push(Math.round((l.index?.lag ?? 0) / 1000));
        })
        .catch(() => undefined);
    }, 1000);
    const cpu1 = [cpuSeconds(serve.pid), cpuSeconds(server.proc?.pid)];
    const e2e = await flow(nc, jsm, `serve --workers ${THREADS}`);
    report('e2e_serve_cpu_s', cpuSeconds(serve.pid) - cpu1[0], 's');
    report('e2e_serve_server_cpu_s', cpuSeconds(server.proc?.pid) - cpu1[1], 's');
    const t0 = performance.now();
    let caughtUp = -1;
    while (performance.now() - t0 < 120_000) {
      last = await serve.api<TaskList>('/api/tasks?limit=100');
      if (last.counts.completed === N && last.index?.lag === 0) {
        caughtUp = performance.now() - t0;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    // The flow's CPU leaves out what the state still had to do after it: count it through the catch-up.
    const serveCpu = [cpuSeconds(serve.pid) - cpu1[0], cpuSeconds(server.proc?.pid) - cpu1[1]];
    report('e2e_serve_cpu_until_caught_up_s', serveCpu[0], 's');
    report('e2e_serve_server_cpu_until_caught_up_s', serveCpu[1], 's');
    const perTask = (cpu: number[]) => ((cpu[0] + cpu[1]) * 1e6) / N;
    report('e2e_pool_alone_cpu_us_per_task', perTask(aloneCpu), 'µs');
    report('e2e_serve_cpu_us_per_task', perTask(serveCpu), 'µs');
    report('e2e_state_extra_cpu_us_per_task', perTask(serveCpu) - perTask(aloneCpu), 'µs');
    rss.push(serve.rss());
    clearInterval(live);
    const completed = await subjectCount(jsm, 'tasks.status.completed');
    const tasks = await subjectCount(jsm, 'tasks.new');
    report('e2e_serve_tasks_per_s', e2e.rate, 'tasks/s');
    ratio('e2e_serve_vs_pool_alone_ratio', e2e.rate, alone.rate);
    // The best ratio this machine allows for this work: the pool-alone flow's CPU (pool, nats-server,
    // producer) plus the state's (fold-only: serve and nats-server) spread over every core, no
    // interference; the flow cannot be faster than pool alone either.
    const cores = availableParallelism();
    const aloneWork = aloneCpu[0] + aloneCpu[1] + alone.benchCpu;
    const ceiling = alone.seconds / Math.max(alone.seconds, (aloneWork + stateCpu) / cores);
    report('e2e_ratio_ceiling_on_this_machine', ceiling, `x (${cores} cores)`);
    report('e2e_ratio_of_its_ceiling', e2e.rate / alone.rate / ceiling, 'x');
    // The state's CPU per task at which that ceiling would be 0.7x.
    report(
      'e2e_state_budget_for_0_7_us_per_task',
      ((cores * alone.seconds) / 0.7 - aloneWork) * (1e6 / N),
      'µs',
    );
    report('e2e_serve_rss_start_mb', (rss[0] ?? 0) / 1048576, 'MB');
    report('e2e_serve_rss_max_mb', Math.max(...rss) / 1048576, 'MB');
    report('e2e_serve_rss_end_mb', rss[rss.length - 1] / 1048576, 'MB');
    report('e2e_state_caught_up_after_flow_ms', caughtUp, 'ms');
    // What the task list shows: every task completed in it, not only in the stream.
    if (caughtUp >= 0)
      report(
        'e2e_serve_tasks_per_s_list_caught_up',
        (N * 1000) / ((N * 1000) / e2e.rate + caughtUp),
        'tasks/s',
      );
    report('e2e_list_polls', polls, 'polls');
    // A live list answers at once while the flow runs, whatever the state's lag.
    answers.sort((a, b) => a - b);
    report('e2e_list_answer_p95_ms', answers[Math.floor(answers.length * 0.95)] ?? -1, 'ms');
    report('e2e_list_answer_max_ms', answers[answers.length - 1] ?? -1, 'ms');
    const ok = last && last.counts.total === tasks && last.counts.completed === completed && completed === N;
    report('e2e_counts_equal_stream', ok ? 1 : 0, 'bool');
    if (!ok)
      console.log(
        `# counts ${JSON.stringify(last?.counts)} vs stream tasks ${tasks}, completed ${completed}`,
      );
    console.log(`# rss curve MB: ${rss.map((b) => Math.round(b / 1048576)).join(' ')}`);
    console.log(`# index lag curve (k messages): ${lags.join(' ')}`);
    const probe = await serve.api<{ id: string; status: string }>(
      `/api/tasks/e2e-${String(0).padStart(8, '0')}`,
    );
    report('e2e_oldest_found_by_id', probe.status === 'completed' ? 1 : 0, 'bool');
    await serve.stop();
    await nc.close();
  },
};

/**
 * `serve` with no workers over the TASKS stream of a finished flow (its task state deleted):
 * tasks/s and CPU per task of folding it, until the list shows every task completed.
 */
async function foldOnly(
  server: { url: string; proc?: { pid?: number } },
  jsm: JetStreamManager,
): Promise<number> {
  for (const s of ['KV_jetdeck_tasks', 'KV_jetdeck_dead']) await jsm.streams.delete(s).catch(() => false);
  const serve = new JetdeckProcess(['serve', '--nats', server.url, '--port', '0', '--no-open']);
  const cpu0 = cpuSeconds(server.proc?.pid);
  const t0 = performance.now();
  await serve.start(/JetDeck serving/);
  const rss: number[] = [];
  try {
    for (;;) {
      rss.push(serve.rss());
      const l = await serve.api<TaskList>('/api/tasks?limit=1');
      if (l.ready && l.counts.completed === N && l.index?.lag === 0) break;
      if (performance.now() - t0 > 30 * 60_000) throw new Error('fold only: not caught up after 30 min');
      await new Promise((r) => setTimeout(r, 250));
    }
    const ms = performance.now() - t0;
    const cpu = [cpuSeconds(serve.pid), cpuSeconds(server.proc?.pid) - cpu0];
    report('e2e_fold_only_tasks_per_s', (N * 1000) / ms, 'tasks/s');
    report('e2e_fold_only_cpu_s', cpu[0], 's');
    report('e2e_fold_only_server_cpu_s', cpu[1], 's');
    report('e2e_fold_only_cpu_us_per_task', ((cpu[0] + cpu[1]) * 1e6) / N, 'µs');
    report('e2e_fold_only_rss_max_mb', Math.max(...rss) / 1048576, 'MB');
    return cpu[0] + cpu[1];
  } finally {
    await serve.stop();
  }
}

/** A new, empty TASKS stream and task state. */
async function fresh(jsm: JetStreamManager): Promise<void> {
  for (const s of ['TASKS', 'KV_jetdeck_tasks', 'KV_jetdeck_dead'])
    await jsm.streams.delete(s).catch(() => false);
  await ensureTopology(jsm);
}

async function pullersWaiting(jsm: JetStreamManager): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ci = await jsm.consumers.info('TASKS', 'task-workers').catch(() => undefined);
    if (ci && ci.num_waiting > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no worker pulls from task-workers');
}

async function subjectCount(jsm: JetStreamManager, subject: string): Promise<number> {
  const si = await jsm.streams.info('TASKS', { subjects_filter: subject });
  return si.state.subjects?.[subject] ?? 0;
}

/** Publishes N tasks and waits until all are completed in the stream. */
interface Flow {
  rate: number;
  seconds: number;
  /** CPU seconds of this process (the producer and the polls) during the flow. */
  benchCpu: number;
}

async function flow(nc: NatsConnection, jsm: JetStreamManager, label: string): Promise<Flow> {
  const cpu0 = process.cpuUsage();
  const encoder = new TextEncoder();
  let failed = 0;
  const pub = new FastPublisher(nc, (ok) => ok || failed++, 8192, 60_000);
  const at = new Date().toISOString();
  const t0 = performance.now();
  const producing = (async () => {
    for (let i = 0; i < N; i++) {
      const id = `e2e-${String(i).padStart(8, '0')}`;
      for (let room = pub.ready(); room; room = pub.ready()) await room;
      pub.send(
        'tasks.new',
        encoder.encode(`{"id":"${id}","type":"echo","payload":{"n":${i}},"created_at":"${at}"}`),
        msgHeaders(id),
      );
    }
    await pub.drain();
    pub.close();
  })();
  let done = 0;
  while (done < N) {
    await new Promise((r) => setTimeout(r, 250));
    done = await subjectCount(jsm, 'tasks.status.completed');
    if (performance.now() - t0 > 30 * 60_000) throw new Error(`${label}: ${done}/${N} after 30 min`);
  }
  await producing;
  if (failed) throw new Error(`${label}: ${failed} publishes failed`);
  const ms = performance.now() - t0;
  const rate = (N * 1000) / ms;
  const cpu = process.cpuUsage(cpu0);
  process.stderr.write(`  ${label}: ${N} tasks in ${Math.round(ms)} ms\n`);
  return { rate, seconds: ms / 1000, benchCpu: (cpu.user + cpu.system) / 1e6 };
}
