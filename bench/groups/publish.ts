import { readFileSync } from 'node:fs';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type PublishOptions } from '@nats-io/transport-node';
import { SUBJECTS, TASKS_STREAM } from '../../api/task-wire';
import { BulkJob } from '../../core/tasks/bulk';
import { PubAckWindow } from '../../core/tasks/pub-ack-window';
import { TaskEncoder } from '../../core/tasks/task-builder';
import { msgHeaders } from '../../nats/publish/pub-ack';
import { shortInbox } from '../../nats/publish/pub-ack-tracker';
import { inspectTopology } from '../../nats/topology';
import { startServer } from '../../test/harness';
import { ratio, report, type BenchGroup } from '../lib';
import { buildGo } from '../go';
import { headerText, hpubFrame, rawSocketPublish } from '../raw-socket';

/**
 * `publish`: N tasks through JetDeck's publisher (sortable ids, JSON encoding, Nats-Msg-Id and
 * a user header, PubAck window with resend-on-timeout: exactly what `tasks.publishBulk` runs)
 * beside three references doing the same work, same fresh server, same run, each on a new
 * TASKS stream:
 * - `natsjs`: the least the public nats.js API needs for the same messages: a loop of
 *   `nc.publish` with the same body bytes, the same headers (`headers()`, Nats-Msg-Id and
 *   X-Bench), the same reply subjects and window, PubAcks only counted, nothing else;
 * - `go`: the Go client's async publish with msg ids (bench/go/ref publish, where Go is here);
 * - `raw`: a bare socket writing the same frames: the server's ceiling on this machine now.
 * Every side sends ids of the same length as JetDeck's (26 characters), so the same bytes.
 * They run in rounds, the order rotating each round, and a rate is the median over rounds; a
 * ratio is the median of the per-round ratios (the machine is shared: rounds next to each other
 * see the same neighbours). `js.publish` with msgID (256 in flight) runs once as the naive
 * baseline.
 *
 * CPU per message, client and server, for each (the server's from /proc: Linux only): where
 * the client and nats-server share the machine's cores, a publisher's rate is bounded by
 * cores ÷ (its CPU + the server's CPU per message), so these say where a gap comes from.
 */
const SCALE = Number(process.env.BENCH_SCALE ?? '1') || 1;
const TASKS = Math.max(1000, Math.round(200_000 * SCALE));
const ROUNDS = Math.max(1, Number(process.env.BENCH_PUBLISH_ROUNDS ?? '5') || 5);
const BASELINE_IN_FLIGHT = 256;
const WINDOW = 4096;
const PAYLOAD = { n: 1, note: 'bench' };
const BENCH_HEADERS = { 'X-Bench': 'publish' };
/** JetDeck's task ids (SortableIds) are 26 characters; the references' ids are padded to it. */
const ID_LENGTH = 26;

type Side = 'jetdeck' | 'natsjs' | 'go' | 'raw';
interface Run {
  rate: number;
  /** Client CPU µs per message (undefined where unknown). */
  clientUs?: number;
  serverUs?: number;
}

export const group: BenchGroup = {
  name: 'publish',
  description: `${TASKS} tasks through JetDeck's publisher vs the same messages through a bare nats.js loop, the Go client and a raw socket (${ROUNDS} rounds), and js.publish`,
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
      const serverPid = server.proc?.pid;
      const goArgs = (n: number, prefix: string): string[] => {
        const a = ['-s', server.url, '-subject', SUBJECTS.new, '-n', String(n), '-id-prefix', prefix];
        return [...a, '-id-len', String(ID_LENGTH)];
      };
      const sides: Partial<Record<Side, (n: number, tag: string) => Promise<Run>>> = {
        jetdeck: (n) => withCpu(n, () => jetdeckPublish(nc, n)),
        natsjs: (n, tag) => withCpu(n, () => natsjsPublish(nc, n, `n${tag}`)),
        raw: (n, tag) => withCpu(n, () => rawCeiling(server.url, n, `r${tag}`)),
      };
      if (go)
        sides.go = async (n, tag) => {
          const r = await go.run(goArgs(n, `g${tag}`));
          return { rate: r.per_s, clientUs: r.cpu_us >= 0 ? r.cpu_us / n : undefined };
        };
      const names = Object.keys(sides) as Side[];

      // Warm all paths (JIT, server file blocks) before measuring.
      await fresh();
      for (const s of names) await sides[s]!(5000, 'warm');
      await fresh();
      const baseline = await withCpu(TASKS, () => baselinePublish(nc, TASKS, 'b'));
      await assertStored(jsm, TASKS);

      const runs: Record<string, Run[]> = {};
      for (let r = 0; r < ROUNDS; r++) {
        // Rotated each round, and reversed every other one: each side runs early and late, after each other side.
        const order = names.map((_, i) => names[(i + r) % names.length]);
        if (r % 2) order.reverse();
        for (const s of order) {
          await fresh();
          const run = await serverCpu(serverPid, TASKS, () => sides[s]!(TASKS, String(r)));
          await assertStored(jsm, TASKS);
          (runs[s] ??= []).push(run);
        }
        console.log(
          `# round ${r + 1}: ${order.map((s) => `${s} ${Math.round(runs[s][r].rate)}/s`).join(', ')}`,
        );
      }

      const rate = (s: Side): number => median(runs[s].map((x) => x.rate));
      /** Median over rounds of a / b, each round with itself. */
      const ratioOf = (a: Side, b: Side): number => median(runs[a].map((x, i) => x.rate / runs[b][i].rate));
      const cpu = (s: Side, k: 'clientUs' | 'serverUs'): number | undefined => {
        const v = runs[s].map((x) => x[k]).filter((x): x is number => x !== undefined);
        return v.length ? median(v) : undefined;
      };

      report('publish_rounds', ROUNDS, 'rounds');
      report('publish_tasks_per_s', rate('jetdeck'), 'tasks/s');
      report('natsjs_publish_per_s', rate('natsjs'), 'msgs/s');
      // JetDeck's publisher against the least nats.js needs for the same messages.
      report('publish_vs_natsjs_ratio', ratioOf('jetdeck', 'natsjs'), 'x');
      if (runs.go) {
        report('go_publish_per_s', rate('go'), 'msgs/s');
        // What the public nats.js API can reach against the Go client, then JetDeck against Go.
        report('natsjs_vs_go_ratio', ratioOf('natsjs', 'go'), 'x');
        report('publish_vs_go_ratio', ratioOf('jetdeck', 'go'), 'x');
      }
      report('publish_server_ceiling_per_s', rate('raw'), 'tasks/s');
      report('publish_vs_ceiling_ratio', ratioOf('jetdeck', 'raw'), 'x');
      report('baseline_publish_per_s', baseline.rate, 'msgs/s');
      ratio('publish_ratio', rate('jetdeck'), baseline.rate);
      // CPU per message: the client's (less sensitive to a busy machine than rates), then
      // nats-server's while each ran (the same work: store + PubAck).
      const cpuLines: [string, Side, 'clientUs' | 'serverUs'][] = [
        ['publish_client_cpu_us_per_task', 'jetdeck', 'clientUs'],
        ['natsjs_publish_client_cpu_us_per_msg', 'natsjs', 'clientUs'],
        ['go_publish_client_cpu_us_per_msg', 'go', 'clientUs'],
        ['raw_publish_client_cpu_us_per_msg', 'raw', 'clientUs'],
        ['publish_server_cpu_us_per_task', 'jetdeck', 'serverUs'],
        ['natsjs_publish_server_cpu_us_per_msg', 'natsjs', 'serverUs'],
        ['go_publish_server_cpu_us_per_msg', 'go', 'serverUs'],
        ['publish_server_ceiling_server_cpu_us_per_task', 'raw', 'serverUs'],
      ];
      for (const [name, s, k] of cpuLines) {
        const v = runs[s] && cpu(s, k);
        if (v !== undefined) report(name, v, 'us');
      }
      report('baseline_publish_client_cpu_us_per_msg', baseline.clientUs ?? 0, 'us');
      // The same comparison from CPU per message (client + server): the rate ratio where both
      // processes keep the machine's cores busy. Steadier than rates on a shared machine, where
      // a multi-threaded client (Go) gets a larger share of contended cores than one event loop.
      const total = (x: Side): number | undefined => {
        const c = runs[x] && cpu(x, 'clientUs');
        const v = runs[x] && cpu(x, 'serverUs');
        return c !== undefined && v !== undefined ? c + v : undefined;
      };
      const [ours, bare, goTotal] = [total('jetdeck'), total('natsjs'), total('go')];
      if (ours && bare) report('publish_vs_natsjs_cpu_bound_ratio', bare / ours, 'x');
      if (ours && goTotal) report('publish_vs_go_cpu_bound_ratio', goTotal / ours, 'x');
      if (bare && goTotal) report('natsjs_vs_go_cpu_bound_ratio', goTotal / bare, 'x');
    } finally {
      go?.dispose();
      await nc.close();
      await server.dispose();
    }
  },
};

async function jetdeckPublish(nc: NatsConnection, count: number): Promise<number> {
  const window = new PubAckWindow(nc);
  const encoder = new TaskEncoder(
    { type: 'echo', payload: PAYLOAD, headers: BENCH_HEADERS },
    nc.info?.max_payload ?? 1 << 20,
  );
  // Generated sortable ids, as the UI's bulk publish does.
  const job = new BulkJob('bench', window, encoder, { count });
  const t0 = performance.now();
  const p = await job.run();
  const ms = performance.now() - t0;
  window.close();
  if (p.acked !== count || p.failed || p.duplicates) throw new Error(`publisher: ${JSON.stringify(p)}`);
  return (count * 1000) / ms;
}

/** `<prefix>-000…<i>`, ID_LENGTH characters. */
function paddedId(prefix: string, i: number): string {
  const n = String(i);
  return `${prefix}-${'0'.repeat(Math.max(0, ID_LENGTH - prefix.length - 1 - n.length))}${n}`;
}

/**
 * The least the public nats.js API needs for the same messages: `nc.publish` with the body as
 * bytes, a `headers()` block, a reply subject per message under one wildcard inbox; PubAcks
 * counted, not read; a window of WINDOW in flight, refilled once per batch of PubAcks.
 */
async function natsjsPublish(nc: NatsConnection, count: number, prefix: string): Promise<number> {
  const inbox = shortInbox(nc);
  const createdAt = new Date().toISOString();
  const opts: PublishOptions = { reply: '', headers: undefined };
  let sent = 0;
  let acked = 0;
  let refill = false;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const pump = (): void => {
    refill = false;
    for (; sent < count && sent - acked < WINDOW; sent++) {
      const id = paddedId(prefix, sent);
      opts.reply = `${inbox}.${sent}`;
      opts.headers = msgHeaders(id, BENCH_HEADERS);
      const body = `{"id":"${id}","type":"echo","payload":{"n":1,"note":"bench"},"created_at":"${createdAt}"}`;
      nc.publish(SUBJECTS.new, Buffer.from(body), opts);
    }
  };
  const sub = nc.subscribe(`${inbox}.*`, {
    callback: () => {
      if (++acked === count) done();
      else if (!refill) {
        refill = true;
        queueMicrotask(pump);
      }
    },
  });
  const t0 = performance.now();
  pump();
  await finished;
  const ms = performance.now() - t0;
  sub.unsubscribe();
  return (count * 1000) / ms;
}

async function baselinePublish(nc: NatsConnection, count: number, idPrefix: string): Promise<number> {
  const js = jetstream(nc);
  const body = JSON.stringify({ type: 'echo', payload: PAYLOAD, created_at: new Date().toISOString() });
  const inflight = new Set<Promise<unknown>>();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const p = js.publish(SUBJECTS.new, body, { msgID: paddedId(idPrefix, i) });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    if (inflight.size >= BASELINE_IN_FLIGHT) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return (count * 1000) / (performance.now() - t0);
}

/** The same tasks (body, Nats-Msg-Id, X-Bench) as bare frames on a socket: the server's limit here. */
function rawCeiling(url: string, count: number, prefix: string): Promise<number> {
  const encoder = new TaskEncoder({ type: 'echo', payload: PAYLOAD }, 1 << 20);
  const createdAt = new Date().toISOString();
  const frame = (i: number, reply: string): string => {
    const id = paddedId(prefix, i);
    const body = encoder.json(id, createdAt);
    return hpubFrame(SUBJECTS.new, reply, headerText(msgHeaders(id, BENCH_HEADERS)), body);
  };
  // Reply subjects as long as the publishers' (`_INBOX.` and 8 characters).
  return rawSocketPublish(url, count, frame, WINDOW, '_INBOX.rawacks0');
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function withCpu(count: number, fn: () => Promise<number>): Promise<Run> {
  const c0 = process.cpuUsage();
  const rate = await fn();
  const c = process.cpuUsage(c0);
  return { rate, clientUs: (c.user + c.system) / count };
}

/** `fn`'s result with the server's CPU µs per message while it ran (undefined without /proc). */
async function serverCpu(pid: number | undefined, count: number, fn: () => Promise<Run>): Promise<Run> {
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
