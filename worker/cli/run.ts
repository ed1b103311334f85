import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { NatsConnection } from '@nats-io/transport-node';
import { natsFlagsFrom } from '../../nats/cli-options';
import { resolveNatsTarget, type NatsTarget } from '../../nats/cli-target';
import { taskTypeSchema } from '../../api/task-wire';
import { resolveHandlers } from '../handlers/load';
import { WorkerRuntime } from '../runtime';
import { jetstreamManager } from '@nats-io/jetstream';
import { placementTagsSchema } from '../../api/features/tasks';
import { autoReplicas, ensureStream, lanesFor } from '../../nats/topology';
import { connectTo, jsOptions } from '../../nats/connect-options';
import type { PoolMetricsSnapshot } from '../../nats/metrics/inputs';
import { WorkerPool } from '../pool';
import type { PoolStatus, WorkerStatsSnapshot } from '../../api/features/workers';
import { startWorkerMetrics, type WorkerMetrics } from './metrics';
import { PoolMember } from '../service/pool-member';
import { RuntimeMember } from '../service/runtime-member';
import { registerWorkerService, type FleetMember } from '../service/worker-service';
import type { MicroService } from '../service/micro';

/** `jetdeck worker` once its flags are parsed (see ./command for the flags). */
const flagsSchema = z.object({
  concurrency: z.coerce.number().int().min(1).max(10_000).default(16),
  threads: z.coerce.number().int().min(1).max(32).optional(),
  handlers: z.string().min(1).optional(),
  types: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(z.array(taskTypeSchema).min(1, '--types needs at least one task type'))
    .optional(),
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'name may use letters, digits, _ . : and - only')
    .optional(),
  backoff: z
    .string()
    .transform((s) => s.split(',').map((x) => Number(x.trim())))
    .pipe(z.array(z.number().int().min(0).max(3_600_000)).min(1))
    .optional(),
  allowRemoteControl: z.boolean().default(false),
  replicas: z.coerce
    .number({ error: 'must be a number 1..5' })
    .int('must be a whole number')
    .min(1, 'must be 1..5')
    .max(5, 'must be 1..5')
    .optional(),
  placementTags: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(placementTagsSchema.min(1, '--placement-tags needs at least one tag'))
    .optional(),
  summaryEvery: z.coerce.number().min(0).default(10),
  metricsPort: z.coerce
    .number({ error: 'must be a port number (0..65535; 0: any free port)' })
    .int('must be a whole number')
    .min(0, 'must be 0..65535 (0: any free port)')
    .max(65535, 'must be 0..65535 (0: any free port)')
    .optional(),
  metricsHost: z
    .union([z.ipv4(), z.ipv6(), z.hostname()], {
      error: 'expected an IP address or host name to listen on, e.g. 127.0.0.1 or 0.0.0.0',
    })
    .default('127.0.0.1'),
});
export type WorkerFlags = z.infer<typeof flagsSchema> & { target: NatsTarget };

/** What is running, for hooks such as the monitor issue's `--metrics-port`. */
export interface RunningWorker {
  flags: WorkerFlags;
  name: string;
  snapshot(): WorkerStatsSnapshot;
  /** Cumulative numbers in the monitor's shape (what /metrics reports). */
  metrics(): PoolMetricsSnapshot;
}

/** Extension point: called once the worker runs (e.g. to serve /metrics). */
export const workerCommandHooks: {
  afterStart: ((w: RunningWorker, cmd: Command) => void | Promise<void>)[];
} = {
  afterStart: [],
};

/** Validates the parsed flags, resolves the connection, and runs the worker until it is stopped. */
export async function runWorkerCommand(raw: Record<string, unknown>, cmd: Command): Promise<void> {
  const parsed = flagsSchema.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues)
      console.error(`jetdeck worker: --${kebab(String(i.path[0] ?? ''))}: ${i.message}`);
    process.exit(2);
  }
  let target: NatsTarget;
  try {
    // A worker always connects somewhere: without flags, the selected context or nats's default.
    target = resolveNatsTarget(natsFlagsFrom(raw), { implicit: true })!;
  } catch (err) {
    console.error(`jetdeck worker: ${(err as Error).message}`);
    process.exit(2);
  }
  try {
    await runWorker({ ...parsed.data, target }, cmd);
  } catch (err) {
    console.error(`jetdeck worker: ${(err as Error).message}`);
    process.exit(1);
  }
}

/** Flag name as typed: summaryEvery → summary-every. */
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const line = (name: string, msg: string) =>
  console.log(`[${new Date().toISOString()}] worker ${name}: ${msg}`);

export async function runWorker(flags: WorkerFlags, cmd: Command): Promise<void> {
  const name = flags.name ?? `${hostname()}-${process.pid}`;
  const { target } = flags;
  const conn = {
    servers: target.servers,
    auth: target.auth,
    tls: target.tls,
    jsDomain: target.jsDomain,
    inboxPrefix: target.inboxPrefix,
    timeoutMs: target.timeoutMs,
  };
  const handlersPath = flags.handlers ? resolve(flags.handlers) : undefined;
  let snapshot: () => WorkerStatsSnapshot;
  let metrics: () => PoolMetricsSnapshot;
  let shutdown: (graceful: boolean) => Promise<void>;
  // Bound before any task is taken, so a busy port fails fast.
  const served =
    flags.metricsPort === undefined
      ? undefined
      : await listenForMetrics(flags, cmd.parent?.version() ?? 'unknown');
  let metricsNc: NatsConnection | undefined;
  let serviceNc!: NatsConnection;
  let member!: FleetMember;
  // Set further down; read by `finish`, which a remote drain may call once the service exists.
  const late: { service?: MicroService; summary?: NodeJS.Timeout } = {};
  // The program's --version (the worker floor does not read the app's package itself).
  const version = cmd.parent?.version() ?? '0.0.0';
  const facts = (kind: 'pool' | 'process') => ({
    worker: name,
    kind,
    host: hostname(),
    pid: process.pid,
    version,
    lanes: lanesFor(flags.types).map((l) => l.subject),
    ...(flags.types ? { types: flags.types } : {}),
    server: serviceNc?.getServer(),
  });
  // A drain asked through the service: the work is finished, so the process ends.
  const onRemoteDrain = () => {
    line(name, `drained through its service endpoint; exiting. ${summarize(snapshot())}`);
    void finish(0);
  };
  const finish = async (code: number) => {
    clearInterval(late.summary);
    await late.service?.stop();
    if (!serviceNc.isClosed()) await serviceNc.drain().catch(() => undefined);
    process.exit(code);
  };

  // TASKS is created with the chosen replicas and placement (or the cluster default) before any
  // runtime looks for it; an existing one is used as it is.
  const layoutNc = await connectTo(conn, { name: flags.threads ? `${name}-service` : name });
  const replicas = flags.replicas ?? autoReplicas(layoutNc.info);
  const placement = flags.placementTags ? { tags: flags.placementTags } : undefined;
  for (const w of await ensureStream(
    await jetstreamManager(layoutNc, jsOptions(layoutNc)),
    replicas,
    placement,
  ))
    line(name, `${w} (using the existing config)`);
  if (flags.threads) {
    let last = '';
    const pool = new WorkerPool(
      {
        connect: conn,
        threads: flags.threads,
        concurrency: flags.concurrency,
        types: flags.types,
        handlers: handlersPath,
        backoffMs: flags.backoff,
        namePrefix: name,
      },
      {
        onStatus: (s: PoolStatus) => {
          const states = s.workers.map((w) => `${w.id}=${w.state}`).join(' ');
          if (states !== last) line(name, `pool ${s.state}: ${states}`);
          last = states;
        },
        onLog: (w, level, m) => level !== 'info' && line(w, `${level}: ${m}`),
      },
    );
    await pool.start();
    snapshot = () => poolSnapshot(pool.status());
    metrics = () => pool.metricsSnapshot();
    // The threads have their own connections; the service and /metrics' consumer info need one here.
    serviceNc = layoutNc;
    metricsNc = serviceNc;
    member = new PoolMember(pool, () => facts('pool'), onRemoteDrain);
    shutdown = async (graceful) => {
      await pool.stop(graceful);
    };
  } else {
    const handlers = await resolveHandlers(handlersPath);
    // One connection for the runtime and its service.
    const nc: NatsConnection = layoutNc;
    let runtime!: WorkerRuntime;
    const runtimes = new RuntimeMember(
      () => facts('process'),
      flags.concurrency,
      (concurrency) => {
        runtime = new WorkerRuntime({
          nc,
          name,
          concurrency,
          types: flags.types,
          handlers,
          backoffMs: flags.backoff,
          log: (level, m) => line(name, level === 'info' ? m : `${level}: ${m}`),
        });
        runtime.onState((s) => line(name, s));
        return runtime;
      },
      onRemoteDrain,
    );
    await runtimes.start();
    member = runtimes;
    serviceNc = nc;
    line(
      name,
      `consuming ${flags.types ? `types ${flags.types.join(', ')}` : 'tasks.high, tasks.new'} with concurrency ${flags.concurrency}; handlers: ${Object.keys(handlers).join(', ')}`,
    );
    snapshot = () => runtimes.snapshot();
    metrics = () => {
      const s = runtimes.snapshot();
      const latency = runtime.stats.latency.snapshot();
      return {
        processed: s.processed,
        failed: s.failed,
        retried: s.retried,
        inFlight: s.inFlight,
        latency,
        types: runtimes.types(),
      };
    };
    metricsNc = nc;
    shutdown = async (graceful) => {
      const r = runtimes.current === runtime ? runtime : undefined;
      await (graceful ? r?.drain() : r?.stop());
    };
  }

  const service = await registerWorkerService(serviceNc, member, {
    allowRemoteControl: flags.allowRemoteControl,
    version,
    onError: (action, err) => line(name, `remote ${action} failed: ${err.message}`),
  });
  late.service = service;

  late.summary =
    flags.summaryEvery > 0
      ? setInterval(() => line(name, summarize(snapshot())), flags.summaryEvery * 1000)
      : undefined;
  if (served) {
    served.attach({ pool: metrics, lanes: lanesFor(flags.types), nc: metricsNc });
    line(name, `metrics at ${served.server.url}`);
  }
  for (const hook of workerCommandHooks.afterStart) await hook({ flags, name, snapshot, metrics }, cmd);

  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) {
      line(name, `${sig} again: exiting now (unfinished tasks will be redelivered)`);
      process.exit(130);
    }
    stopping = true;
    line(name, 'draining, Ctrl-C again to exit now');
    void shutdown(true).then(
      () => {
        line(name, `stopped. ${summarize(snapshot())}`);
        return finish(0);
      },
      (err: unknown) => {
        line(name, `drain failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Last: once this line is out, Ctrl-C drains (the tests wait for it too).
  line(
    name,
    `NATS service ${service.name} id ${service.id}; remote control ${flags.allowRemoteControl ? 'ALLOWED' : 'off'}`,
  );
}

async function listenForMetrics(flags: WorkerFlags, version: string): Promise<WorkerMetrics> {
  try {
    return await startWorkerMetrics(flags.metricsPort ?? 0, flags.metricsHost, version);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EADDRINUSE' ? 'the port is in use' : e.message;
    throw new Error(`--metrics-port ${flags.metricsPort} on ${flags.metricsHost}: ${why}`, { cause: err });
  }
}

function summarize(s: WorkerStatsSnapshot): string {
  return `processed=${s.processed} failed=${s.failed} retried=${s.retried} cancelled=${s.cancelled} in-flight=${s.inFlight} rate=${s.throughput}/s p50=${s.p50}ms p95=${s.p95}ms p99=${s.p99}ms`;
}

function poolSnapshot(s: PoolStatus): WorkerStatsSnapshot {
  const max = (f: (w: PoolStatus['workers'][number]) => number) => Math.max(0, ...s.workers.map(f));
  return {
    processed: s.totals.processed,
    failed: s.totals.failed,
    retried: s.totals.retried,
    cancelled: s.workers.reduce((n, w) => n + w.cancelled, 0),
    inFlight: s.totals.inFlight,
    current: s.workers.flatMap((w) => w.current),
    throughput: s.totals.throughput,
    // Per-thread percentiles cannot be merged exactly; the worst thread is the honest figure.
    p50: max((w) => w.p50),
    p95: max((w) => w.p95),
    p99: max((w) => w.p99),
    uptimeMs: max((w) => w.uptimeMs),
  };
}
