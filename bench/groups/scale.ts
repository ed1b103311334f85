/**
 * `scale`: a fresh JetDeck over a TASKS history of 0, 200,000 and 1,000,000 completed tasks
 * (BENCH_SCALE shrinks them): time until the task list is ready (its first pages) and until its
 * whole window is loaded, RSS after that, p95 of a lookup by id of the oldest and the newest
 * task, and the messages it read to get there.
 *
 * The history is written with the fast publisher, then indexed once by a JetDeck core (as it is
 * when JetDeck runs while the work happens; the rate of that catch-up is reported too). Each
 * probe is a new process, so its RSS is its own.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { makeTestCore, seedCompleted, startServer, taskId } from '../../test/harness';
import { ensureTopology } from '../../nats/topology';
import { report, type BenchGroup } from '../lib';

const SCALE = Number(process.env.BENCH_SCALE ?? '1') || 1;
const SIZES = [0, 200_000, 1_000_000].map((n) => Math.round(n * SCALE));
const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

interface Probe {
  readyMs: number;
  windowMs: number;
  window: number;
  rss: number;
  counts: { total: number; completed: number };
  index: { messages_read: number; lag: number };
  lookups: Record<string, number>;
}

export const group: BenchGroup = {
  name: 'scale',
  description: `fresh start over ${SIZES.join(' / ')} completed tasks: ready time, RSS, p95 lookup of oldest and newest`,
  async run() {
    const server = await startServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    const jsm = await jetstreamManager(nc);
    await ensureTopology(jsm);
    let have = 0;
    for (const n of SIZES) {
      if (n > have) {
        await seedCompleted(nc, have, n);
        const t0 = performance.now();
        await indexOnce(server.url, n);
        const s = (performance.now() - t0) / 1000;
        report(`scale_index_catchup_tasks_per_s_${n}`, (n - have) / s, 'tasks/s');
        have = n;
      }
      const ids = n ? [taskId(0), taskId(n - 1)] : [];
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', resolve(ROOT, 'bench/state/probe.ts'), server.url, ...ids],
        { cwd: ROOT, maxBuffer: 1 << 20 },
      );
      const p = JSON.parse(stdout.trim().split('\n').pop()!) as Probe;
      if (p.counts.total !== n || p.counts.completed !== n)
        throw new Error(`counts ${JSON.stringify(p.counts)} for ${n} tasks`);
      report(`scale_ready_ms_${n}`, p.readyMs, 'ms');
      report(`scale_window_full_ms_${n}`, p.windowMs, 'ms');
      report(`scale_window_tasks_${n}`, p.window, 'tasks');
      report(`scale_rss_mb_${n}`, p.rss / 1048576, 'MB');
      report(`scale_messages_read_at_start_${n}`, p.index.messages_read, 'msgs');
      if (n) {
        report(`scale_lookup_oldest_p95_ms_${n}`, p.lookups[taskId(0)], 'ms');
        report(`scale_lookup_newest_p95_ms_${n}`, p.lookups[taskId(n - 1)], 'ms');
      }
    }
    const si = await jsm.streams.info('KV_jetdeck_tasks');
    report('scale_state_bucket_mb', si.state.bytes / 1048576, 'MB');
    await nc.close();
  },
};

/** A core that folds the new history into the bucket, until the state has no lag. */
async function indexOnce(url: string, n: number): Promise<void> {
  const t = makeTestCore();
  await t.connectTo(url);
  try {
    for (;;) {
      const l = await t.call('tasks.list', { limit: 1 }).catch(() => undefined);
      if (l?.ready && l.index && l.index.lag === 0 && l.index.indexed_seq >= 2 * n) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await t.dispose();
  }
}
