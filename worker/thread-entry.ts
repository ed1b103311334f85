import { parentPort } from 'node:worker_threads';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectTo } from '../nats/connect-options';
import { errorEnvelope } from '../nats/errors';
import { resolveHandlers } from './handlers/load';
import type { MainToThread, ThreadConfig, ThreadToMain } from './protocol';
import { WorkerRuntime } from './runtime';

/**
 * Entry of one pool thread: its own NATS connection and WorkerRuntime (the pool benchmark
 * shows why: one connection per thread scales; funnelling messages through main does not).
 * Bundled as `worker-thread.js` next to the Electron main bundle.
 */
const port = parentPort;
if (!port) throw new Error('thread-entry must run in a worker thread');

let runtime: WorkerRuntime | undefined;
let nc: NatsConnection | undefined;
let statsTimer: NodeJS.Timeout | undefined;

const post = (m: ThreadToMain) => port.postMessage(m);
const postStats = (r: WorkerRuntime) =>
  post({
    kind: 'stats',
    stats: r.snapshot(),
    latency: r.stats.latency.snapshot(),
    types: r.stats.types.snapshot(),
  });

async function start(config: ThreadConfig): Promise<string[]> {
  const handlers = await resolveHandlers(config.handlers);
  nc = await connectTo(config.connect, { name: config.name });
  runtime = new WorkerRuntime({
    nc,
    name: config.name,
    concurrency: config.concurrency,
    types: config.types,
    handlers,
    backoffMs: config.backoffMs,
    taskTimeoutMs: config.taskTimeoutMs,
    advisories: config.advisories ?? false,
    log: (level, message) => post({ kind: 'log', level, message }),
  });
  runtime.onState((state) => post({ kind: 'state', state }));
  await runtime.start();
  statsTimer = setInterval(() => runtime && postStats(runtime), config.statsIntervalMs);
  return runtime.warnings;
}

async function finish(graceful: boolean): Promise<void> {
  if (statsTimer) clearInterval(statsTimer);
  if (runtime) {
    await (graceful ? runtime.drain() : runtime.stop());
    postStats(runtime);
  }
  await nc?.close().catch(() => {});
}

port.on('message', (m: MainToThread) => {
  const run = async () => {
    switch (m.kind) {
      case 'start':
        return { warnings: await start(m.config) };
      case 'drain':
        await finish(true);
        return {};
      case 'stop':
        await finish(false);
        return {};
    }
  };
  run().then(
    (r) => {
      post({ kind: 'reply', seq: m.seq, ok: true, ...r });
      if (m.kind !== 'start') port.close();
    },
    (err: unknown) => post({ kind: 'reply', seq: m.seq, ok: false, error: errorEnvelope(err) }),
  );
});

// An error escaping a handler (thrown from a timer, say) kills the thread: report it first.
process.on('uncaughtException', (err) => {
  post({ kind: 'crashed', error: errorEnvelope(err) });
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  post({ kind: 'crashed', error: errorEnvelope(err) });
  process.exit(1);
});
