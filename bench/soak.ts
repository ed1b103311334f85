import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { MethodInput, MethodName, MethodOutput } from '../api/contract';
import { SUBJECTS, TASKS_STREAM } from '../api/task-wire';
import { createCore } from '../core/backend';
import { ClientScope } from '../core/clients/client-scope';
import type { Core } from '../core/core';
import { pollUntil, startServer, stopAll } from '../test/harness';

/**
 * `npm run soak`: SOAK_TASKS (default 1,000,000) echo tasks published with the contract's bulk
 * publish and run by the core's pool with 2 threads, while a UI-like client follows the TASKS
 * stream through `messages.tail.start` (its batches arrive as events, as they would over the
 * WebSocket). Prints RSS at start, middle and end, then counts completions from the stream:
 * every task id must have exactly one `completed` event (lost = ids without one, duplicates =
 * extra events). `SOAK_TASKS=20000` is the short variant CI runs (test/soak/soak.test.ts).
 */

const COMPLETED = SUBJECTS.status('completed');

export interface SoakResult {
  tasks: number;
  completedEvents: number;
  lost: number;
  duplicates: number;
  /** Bytes: at start (connected, pool running), at half the completions, at the end. */
  rss: { start: number; middle: number; end: number };
  heapUsedEnd: number;
  tail: { batches: number; messages: number; dropped: number };
  publish: { acked: number; failed: number; state: string };
  seconds: number;
  tasksPerSec: number;
}

export interface SoakOptions {
  tasks: number;
  threads?: number;
  concurrency?: number;
  /** Gives up when the completed count has not moved for this long. */
  stallMs?: number;
  log?: (line: string) => void;
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const log = opts.log ?? (() => {});
  const stallMs = opts.stallMs ?? 120_000;
  const server = await startServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-soak-'));
  const core = createCore({ dataDir, mode: 'test' });
  const ui = new ClientScope('soak ui');
  const call = <N extends MethodName>(name: N, input?: MethodInput<N>): Promise<MethodOutput<N>> =>
    core.router.invoke(name, input, { transport: 'test', client: ui });
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    const profile = await call('connections.save', { name: 'soak', servers: [server.url] });
    await call('connections.connect', { id: profile.id });
    await pollUntil(() => streamExists(jsm), {
      what: 'the TASKS stream',
      timeoutMs: 30_000,
      intervalMs: 100,
    });

    // The UI: a live tail of the whole stream, batches counted as a renderer would receive them.
    const tail = await call('messages.tail.start', { stream: TASKS_STREAM, bufferSize: 1000 });
    const tailStats = { batches: 0, messages: 0, dropped: 0 };
    const offTail = core.bus.on('messages.tail', (b) => {
      if (b.tailId !== tail.tailId) return;
      tailStats.batches++;
      tailStats.messages += b.messages.length;
      tailStats.dropped += b.dropped;
    });

    await call('workers.start', { threads: opts.threads ?? 2, concurrency: opts.concurrency ?? 512 });
    const rssStart = rss();
    log(`rss_start ${mb(rssStart)} MB`);

    const runId = `soak${Date.now().toString(36)}`;
    const t0 = performance.now();
    const { jobId } = await call('tasks.publishBulk', {
      type: 'echo',
      payload: { soak: true },
      count: opts.tasks,
      idPrefix: runId,
    });
    let publish = { acked: 0, failed: 0, state: 'running' };
    const offBulk = core.bus.on('tasks.bulkProgress', (p) => {
      if (p.jobId === jobId) publish = { acked: p.acked, failed: p.failed, state: p.state };
    });

    let rssMiddle = 0;
    let last = -1;
    let lastMove = Date.now();
    let lastLog = 0;
    for (;;) {
      const done = await completedCount(jsm);
      if (!rssMiddle && done >= opts.tasks / 2) {
        rssMiddle = rss();
        log(`rss_middle ${mb(rssMiddle)} MB at ${done} completions`);
      }
      if (done >= opts.tasks && publish.state !== 'running') break;
      if (done !== last) {
        last = done;
        lastMove = Date.now();
      } else if (Date.now() - lastMove > stallMs) {
        log(`stalled at ${done}/${opts.tasks} completions (publish ${JSON.stringify(publish)})`);
        break;
      }
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(`# ${done}/${opts.tasks} completed, ${publish.acked} published, rss ${mb(rss())} MB`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - t0) / 1000;
    const rssEnd = rss();
    const heapUsedEnd = process.memoryUsage().heapUsed;
    log(`rss_end ${mb(rssEnd)} MB`);
    offBulk();
    offTail();
    await call('messages.tail.stop', { tailId: tail.tailId });
    await call('workers.stop', { graceful: true });

    const counted = await countCompletions(nc, runId, opts.tasks);
    return {
      tasks: opts.tasks,
      ...counted,
      rss: { start: rssStart, middle: rssMiddle || rssEnd, end: rssEnd },
      heapUsedEnd,
      tail: tailStats,
      publish,
      seconds,
      tasksPerSec: opts.tasks / seconds,
    };
  } finally {
    ui.close();
    await disposeCore(core);
    await nc.close();
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function disposeCore(core: Core): Promise<void> {
  await core.dispose().catch((err: unknown) => console.error('dispose failed:', err));
}

async function streamExists(jsm: JetStreamManager): Promise<boolean> {
  return jsm.streams.info(TASKS_STREAM).then(
    () => true,
    () => false,
  );
}

/** `completed` events stored (the stream deduplicates by `<id>:completed` inside its window). */
async function completedCount(jsm: JetStreamManager): Promise<number> {
  const si = await jsm.streams.info(TASKS_STREAM, { subjects_filter: COMPLETED });
  return si.state.subjects?.[COMPLETED] ?? 0;
}

/**
 * Reads every `completed` event back from the stream with an ordered consumer and ticks each
 * task id (`<prefix>-<n>`) in a bitmap: one byte per task, not a Set of a million strings.
 */
async function countCompletions(
  nc: NatsConnection,
  prefix: string,
  tasks: number,
): Promise<{ completedEvents: number; lost: number; duplicates: number }> {
  const jsm = await jetstreamManager(nc);
  const total = await completedCount(jsm);
  const seen = new Uint8Array(tasks + 1);
  let events = 0;
  let duplicates = 0;
  if (total > 0) {
    const c = await jetstream(nc).consumers.get(TASKS_STREAM, {
      filter_subjects: COMPLETED,
      deliver_policy: DeliverPolicy.All,
    });
    const iter = await c.consume({ max_messages: 4096 });
    for await (const m of iter) {
      events++;
      const id = (m.json<{ id?: string }>().id ?? '').toString();
      const n = id.startsWith(`${prefix}-`) ? Number(id.slice(prefix.length + 1)) : NaN;
      if (Number.isInteger(n) && n >= 1 && n <= tasks) {
        if (seen[n]) duplicates++;
        else seen[n] = 1;
      }
      if (m.info.pending === 0) break;
    }
    await iter.close();
  }
  let lost = 0;
  for (let i = 1; i <= tasks; i++) if (!seen[i]) lost++;
  return { completedEvents: events, lost, duplicates };
}

const rss = () => process.memoryUsage().rss;
const mb = (b: number) => Math.round(b / 1024 / 1024);

async function main(): Promise<void> {
  const tasks = Number(process.env.SOAK_TASKS ?? 1_000_000);
  if (!Number.isInteger(tasks) || tasks < 1) throw new Error('SOAK_TASKS must be a positive integer');
  console.log(`# soak: ${tasks} echo tasks, pool of 2 threads, a live tail of ${TASKS_STREAM}`);
  const r = await runSoak({ tasks, log: (l) => console.log(l) });
  const line = (name: string, v: number | string, unit = '') =>
    console.log(`${name} ${v}${unit ? ` ${unit}` : ''}`);
  line('soak_tasks', r.tasks);
  line('soak_seconds', r.seconds.toFixed(1), 's');
  line('soak_tasks_per_s', Math.round(r.tasksPerSec), 'tasks/s');
  line('soak_rss_start', mb(r.rss.start), 'MB');
  line('soak_rss_middle', mb(r.rss.middle), 'MB');
  line('soak_rss_end', mb(r.rss.end), 'MB');
  line('soak_heap_used_end', mb(r.heapUsedEnd), 'MB');
  line('soak_published_acked', r.publish.acked);
  line('soak_publish_failed', r.publish.failed);
  line('soak_completed_events', r.completedEvents);
  line('soak_lost_completions', r.lost);
  line('soak_duplicate_completions', r.duplicates);
  line('soak_tail_batches', r.tail.batches);
  line('soak_tail_messages', r.tail.messages);
  line('soak_tail_dropped', r.tail.dropped);
  if (r.lost > 0 || r.duplicates > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
