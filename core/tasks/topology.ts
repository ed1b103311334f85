import {
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { millis } from '@nats-io/transport-node';
import type {
  ApplyTopologyResult,
  TopologyDiff,
  TopologyItem,
  TopologyReport,
} from '../../api/features/tasks';
import {
  SUBJECTS,
  TASKS_STREAM,
  TASK_WORKERS_CONSUMER,
  TASK_WORKERS_HIGH_CONSUMER,
  typedLaneConsumer,
} from '../../api/task-wire';
import { desiredConsumerConfig, desiredStreamConfig } from '../../worker/topology';

/**
 * The TASKS stream and its lane consumers: created when missing, compared field by field when
 * present. An existing config that differs is reported, never overwritten; `applyTopology`
 * changes what the server can change in place and explains the rest.
 */

interface Field<C> {
  path: string;
  wanted: unknown;
  current: (c: C) => unknown;
  /** Whether the server accepts the change as an update (else the object must be recreated). */
  updatable: boolean;
  why?: string;
  /** Display form (durations in nanos → "7d"). */
  show?: (v: unknown) => unknown;
  /** Compare as sets (subjects). */
  set?: boolean;
}

/** One source of truth for the wanted configs: the worker creates the same ones on its own. */
export const wantedStreamConfig = desiredStreamConfig;
export const wantedLaneConfig = (durable: string, filter: string): Partial<ConsumerConfig> =>
  desiredConsumerConfig({ consumer: durable, subject: filter });

const RECREATE_STREAM =
  'the server cannot change this on an existing stream: the stream must be recreated (its messages are lost)';
const RECREATE_CONSUMER =
  'the server cannot change this on an existing consumer: delete it and let JetDeck create it again';

function streamFields(replicas: number): Field<StreamConfig>[] {
  const w = wantedStreamConfig(replicas);
  return [
    { path: 'subjects', wanted: w.subjects, current: (c) => c.subjects ?? [], updatable: true, set: true },
    {
      path: 'retention',
      wanted: w.retention,
      current: (c) => c.retention,
      updatable: false,
      why: RECREATE_STREAM,
    },
    { path: 'storage', wanted: w.storage, current: (c) => c.storage, updatable: false, why: RECREATE_STREAM },
    { path: 'max_age', wanted: w.max_age, current: (c) => c.max_age, updatable: true, show: showDuration },
    {
      path: 'duplicate_window',
      wanted: w.duplicate_window,
      current: (c) => c.duplicate_window,
      updatable: true,
      show: showDuration,
    },
    { path: 'num_replicas', wanted: w.num_replicas, current: (c) => c.num_replicas, updatable: true },
    { path: 'discard', wanted: w.discard, current: (c) => c.discard, updatable: true },
  ];
}

function consumerFields(wanted: Partial<ConsumerConfig>): Field<ConsumerConfig>[] {
  return [
    {
      path: 'filter_subject',
      wanted: wanted.filter_subject,
      current: (c) => c.filter_subject ?? '',
      updatable: false,
      why: RECREATE_CONSUMER,
    },
    {
      path: 'ack_policy',
      wanted: wanted.ack_policy,
      current: (c) => c.ack_policy,
      updatable: false,
      why: RECREATE_CONSUMER,
    },
    {
      path: 'deliver_policy',
      wanted: wanted.deliver_policy,
      current: (c) => c.deliver_policy,
      updatable: false,
      why: RECREATE_CONSUMER,
    },
    {
      path: 'deliver_subject',
      wanted: undefined,
      current: (c) => c.deliver_subject,
      updatable: false,
      why: 'a push consumer cannot become a pull consumer: delete it and let JetDeck create it again',
    },
    { path: 'max_deliver', wanted: wanted.max_deliver, current: (c) => c.max_deliver, updatable: true },
    {
      path: 'ack_wait',
      wanted: wanted.ack_wait,
      current: (c) => c.ack_wait,
      updatable: true,
      show: showDuration,
    },
    {
      path: 'max_ack_pending',
      wanted: wanted.max_ack_pending,
      current: (c) => c.max_ack_pending,
      updatable: true,
    },
  ];
}

function diffFields<C>(fields: Field<C>[], current: C, prefix: string): (TopologyDiff & { why?: string })[] {
  const out: (TopologyDiff & { why?: string })[] = [];
  for (const f of fields) {
    const cur = f.current(current);
    const same = f.set
      ? sameSet(cur as string[], f.wanted as string[])
      : (cur ?? undefined) === (f.wanted ?? undefined);
    if (same) continue;
    const show = f.show ?? ((v: unknown) => v);
    out.push({
      path: `${prefix}${f.path}`,
      current: show(cur),
      wanted: show(f.wanted),
      updatable: f.updatable,
      why: f.why,
    });
  }
  return out;
}

export function diffStream(current: StreamConfig, replicas: number): (TopologyDiff & { why?: string })[] {
  return diffFields(streamFields(replicas), current, 'stream.');
}

export function diffConsumer(
  current: ConsumerConfig,
  wanted: Partial<ConsumerConfig>,
): (TopologyDiff & { why?: string })[] {
  return diffFields(consumerFields(wanted), current, `consumer.${wanted.durable_name}.`);
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function showDuration(v: unknown): unknown {
  if (typeof v !== 'number') return v;
  const ms = millis(v);
  if (ms === 0) return '0 (unlimited)';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function isNotFound(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamNotFound || err.code === JetStreamApiCodes.ConsumerNotFound)
  );
}

/** The fixed lanes plus any typed lanes that already exist on the stream. */
async function laneSpecs(
  jsm: JetStreamManager,
  streamExists: boolean,
): Promise<{ durable: string; filter: string }[]> {
  const lanes: { durable: string; filter: string }[] = [
    { durable: TASK_WORKERS_CONSUMER, filter: SUBJECTS.new },
    { durable: TASK_WORKERS_HIGH_CONSUMER, filter: SUBJECTS.high },
  ];
  if (!streamExists) return lanes;
  const prefix = typedLaneConsumer('');
  for await (const ci of jsm.consumers.list(TASKS_STREAM)) {
    const name = ci.config.durable_name ?? ci.name;
    if (name.startsWith(prefix))
      lanes.push({ durable: name, filter: SUBJECTS.typed(name.slice(prefix.length)) });
  }
  return lanes;
}

/**
 * Checks the topology and, with `create`, creates whatever is missing. Never updates or
 * deletes anything that exists.
 */
export async function inspectTopology(
  jsm: JetStreamManager,
  replicas: number,
  opts: { create: boolean },
): Promise<TopologyReport> {
  const report: TopologyReport = {
    state: 'ok',
    diff: [],
    stream: { kind: 'stream', name: TASKS_STREAM, state: 'ok', diff: [] },
    consumers: [],
    replicas,
    checkedAt: new Date().toISOString(),
  };
  let streamExists = false;
  try {
    const si = await jsm.streams.info(TASKS_STREAM);
    streamExists = true;
    report.stream.diff = stripWhy(diffStream(si.config, replicas));
    if (report.stream.diff.length) report.stream.state = 'differs';
  } catch (err) {
    if (!isNotFound(err)) return failed(report, err);
    if (opts.create) {
      try {
        await jsm.streams.add(wantedStreamConfig(replicas));
        streamExists = true;
        report.stream.state = 'created';
      } catch (e) {
        // Another JetDeck or a worker may have created it meanwhile: look again.
        if (
          !(await jsm.streams.info(TASKS_STREAM).then(
            () => true,
            () => false,
          ))
        )
          return failed(report, e);
        streamExists = true;
      }
    } else {
      report.stream.state = 'missing';
    }
  }
  for (const lane of await laneSpecs(jsm, streamExists).catch(() => [])) {
    report.consumers.push(await inspectLane(jsm, lane, streamExists && opts.create));
  }
  return summarize(report);
}

async function inspectLane(
  jsm: JetStreamManager,
  lane: { durable: string; filter: string },
  create: boolean,
): Promise<TopologyItem> {
  const item: TopologyItem = { kind: 'consumer', name: lane.durable, state: 'ok', diff: [] };
  const wanted = wantedLaneConfig(lane.durable, lane.filter);
  try {
    const ci = await jsm.consumers.info(TASKS_STREAM, lane.durable);
    item.diff = stripWhy(diffConsumer(ci.config, wanted));
    if (item.diff.length) item.state = 'differs';
  } catch (err) {
    if (!isNotFound(err)) return { ...item, state: 'error', error: errMessage(err) };
    if (!create) return { ...item, state: 'missing' };
    try {
      // Identical config: idempotent even if another process creates it at the same moment.
      await jsm.consumers.add(TASKS_STREAM, wanted);
      item.state = 'created';
    } catch (e) {
      return { ...item, state: 'error', error: errMessage(e) };
    }
  }
  return item;
}

/** Creates the durable of a typed lane if it is missing (idempotent, same config as the fixed lanes). */
export async function ensureTypedLane(jsm: JetStreamManager, type: string): Promise<void> {
  const durable = typedLaneConsumer(type);
  try {
    await jsm.consumers.info(TASKS_STREAM, durable);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(TASKS_STREAM, wantedLaneConfig(durable, SUBJECTS.typed(type)));
  }
}

/**
 * Applies what can be applied in place: stream subjects, ages, windows, replicas, discard;
 * consumer max_deliver / ack_wait / max_ack_pending. Creates missing pieces. Lists the rest.
 */
export async function applyTopology(jsm: JetStreamManager, replicas: number): Promise<ApplyTopologyResult> {
  const updated: string[] = [];
  const notApplied: { path: string; reason: string }[] = [];
  let streamExists = true;
  try {
    const si = await jsm.streams.info(TASKS_STREAM);
    const diff = diffStream(si.config, replicas);
    for (const d of diff.filter((d) => !d.updatable))
      notApplied.push({ path: d.path, reason: d.why ?? RECREATE_STREAM });
    const fixable = diff.filter((d) => d.updatable);
    if (fixable.length) {
      const w = wantedStreamConfig(replicas);
      const patch: Partial<StreamConfig> = {};
      for (const d of fixable) {
        const key = d.path.slice('stream.'.length) as keyof StreamConfig;
        (patch as Record<string, unknown>)[key] = w[key];
      }
      try {
        await jsm.streams.update(TASKS_STREAM, patch);
        updated.push(...fixable.map((d) => d.path));
      } catch (err) {
        for (const d of fixable)
          notApplied.push({ path: d.path, reason: `the server refused the update: ${errMessage(err)}` });
      }
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
    streamExists = false;
  }
  if (streamExists) {
    for (const lane of await laneSpecs(jsm, true)) {
      const wanted = wantedLaneConfig(lane.durable, lane.filter);
      let diff: (TopologyDiff & { why?: string })[];
      try {
        diff = diffConsumer((await jsm.consumers.info(TASKS_STREAM, lane.durable)).config, wanted);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        continue; // created below by inspectTopology
      }
      for (const d of diff.filter((d) => !d.updatable))
        notApplied.push({ path: d.path, reason: d.why ?? RECREATE_CONSUMER });
      const fixable = diff.filter((d) => d.updatable);
      if (!fixable.length) continue;
      const patch: Record<string, unknown> = {};
      for (const d of fixable) {
        const key = d.path.slice(`consumer.${lane.durable}.`.length) as keyof ConsumerConfig;
        patch[key] = wanted[key];
      }
      try {
        await jsm.consumers.update(TASKS_STREAM, lane.durable, patch);
        updated.push(...fixable.map((d) => d.path));
      } catch (err) {
        for (const d of fixable)
          notApplied.push({ path: d.path, reason: `the server refused the update: ${errMessage(err)}` });
      }
    }
  }
  const report = await inspectTopology(jsm, replicas, { create: true });
  // The server may accept an update yet keep the old value (e.g. replicas on a single server).
  for (const d of report.diff) {
    const i = updated.indexOf(d.path);
    if (i < 0) continue;
    updated.splice(i, 1);
    notApplied.push({
      path: d.path,
      reason: `the server accepted the update but kept ${JSON.stringify(d.current)}${d.path.endsWith('num_replicas') ? ' (more replicas than the servers it has?)' : ''}`,
    });
  }
  return { report, updated, notApplied };
}

function stripWhy(diff: (TopologyDiff & { why?: string })[]): TopologyDiff[] {
  return diff.map(({ path, current, wanted, updatable }) => ({ path, current, wanted, updatable }));
}

function summarize(report: TopologyReport): TopologyReport {
  const items = [report.stream, ...report.consumers];
  report.diff = items.flatMap((i) => i.diff);
  // A consumer that cannot be created on a differing stream is a consequence of the difference.
  if (report.stream.state === 'differs') {
    report.state = 'differs';
    report.error = items.find((i) => i.error)?.error;
  } else if (items.some((i) => i.state === 'error')) {
    report.state = 'error';
    report.error = items.find((i) => i.error)?.error;
  } else if (items.some((i) => i.state === 'differs' || i.state === 'missing')) report.state = 'differs';
  else if (items.some((i) => i.state === 'created')) report.state = 'created';
  else report.state = 'ok';
  return report;
}

function failed(report: TopologyReport, err: unknown): TopologyReport {
  report.state = 'error';
  report.stream.state = 'error';
  report.error = report.stream.error = errMessage(err);
  return report;
}

export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
