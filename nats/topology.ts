import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { millis, nanos } from '@nats-io/transport-node';
import type {
  ApplyTopologyResult,
  TopologyDiff,
  TopologyItem,
  TopologyReport,
  TopologyRisk,
} from '../api/features/tasks';
import {
  LANE_CONSUMER_SETTINGS,
  SCHEDULER_CONSUMER_SETTINGS,
  SUBJECTS,
  TASKS_DUPLICATE_WINDOW_MS,
  TASKS_MAX_AGE_MS,
  TASKS_STREAM,
  TASKS_STREAM_SUBJECTS,
  TASK_SCHEDULER_CONSUMER,
  TASK_WORKERS_CONSUMER,
  TASK_WORKERS_HIGH_CONSUMER,
  typedLaneConsumer,
} from '../api/task-wire';
import { NATIVE_SCHEDULE_SUBJECTS } from './schedules';

/**
 * The TASKS stream and its lane consumers, for the core and the worker alike: created when
 * missing, compared field by field when present. An existing config that differs is reported,
 * never overwritten; `applyTopology` changes what the server can change in place and explains
 * the rest. Safe to call from many processes at once.
 */

export interface Lane {
  consumer: string;
  subject: string;
}

export const HIGH_LANE: Lane = { consumer: TASK_WORKERS_HIGH_CONSUMER, subject: SUBJECTS.high };
export const NORMAL_LANE: Lane = { consumer: TASK_WORKERS_CONSUMER, subject: SUBJECTS.new };
export const typedLane = (type: string): Lane => ({
  consumer: typedLaneConsumer(type),
  subject: SUBJECTS.typed(type),
});

/** A general pool takes the high lane before the normal one; a typed pool only its types' lanes. */
export function lanesFor(types?: string[]): Lane[] {
  return types && types.length > 0 ? types.map(typedLane) : [HIGH_LANE, NORMAL_LANE];
}

/** Where TASKS lives: chosen when it is created (`--replicas`, `--placement-tags`, the UI), then the operator's. */
export interface Placement {
  cluster?: string;
  tags?: string[];
}

/**
 * Replicas for a new TASKS when nobody chose: 3 on a cluster of 3 or more servers (survives a
 * node loss), else 1. The cluster's size is what the server advertises in INFO (`connect_urls`
 * lists every server's client URL, its own included).
 */
export function autoReplicas(info?: { cluster?: string; connect_urls?: string[] }): number {
  if (!info?.cluster) return 1;
  return new Set(info.connect_urls ?? []).size >= 3 ? 3 : 1;
}

export function wantedStreamConfig(
  replicas = 1,
  placement?: Placement,
): Partial<StreamConfig> & { name: string } {
  const p = placement && (placement.cluster || placement.tags?.length) ? placement : undefined;
  return {
    ...(p ? { placement: { cluster: p.cluster ?? '', tags: p.tags ?? [] } } : {}),
    name: TASKS_STREAM,
    subjects: [...TASKS_STREAM_SUBJECTS],
    storage: StorageType.File,
    // Limits, not WorkQueue: finished tasks stay replayable for max_age.
    retention: RetentionPolicy.Limits,
    max_age: nanos(TASKS_MAX_AGE_MS),
    duplicate_window: nanos(TASKS_DUPLICATE_WINDOW_MS),
    num_replicas: replicas,
    // Matters only once someone adds max_bytes / max_msgs: then a full stream refuses new tasks
    // (publishers are told) instead of deleting the oldest, undelivered ones (nobody is told).
    discard: DiscardPolicy.New,
  };
}

/** max_bytes / max_msgs / max_msgs_per_subject set (0 and -1 mean unlimited). */
const limited = (v: number | undefined) => typeof v === 'number' && v > 0;
const hasSizeLimits = (c: StreamConfig) => limited(c.max_bytes) || limited(c.max_msgs);

/**
 * Stream settings that can delete tasks no worker has run yet, explained. `discard: old` with
 * max_bytes or max_msgs removes the oldest messages to make room; a per-subject limit removes
 * the oldest message of a subject (all waiting tasks share `tasks.new`) unless the stream
 * refuses instead (`discard: new` with `discard_new_per_subject`).
 */
export function topologyRisks(c: StreamConfig): TopologyRisk[] {
  const risks: TopologyRisk[] = [];
  if (c.discard !== DiscardPolicy.New && hasSizeLimits(c)) {
    const limits = [limited(c.max_bytes) && 'max_bytes', limited(c.max_msgs) && 'max_msgs'].filter(Boolean);
    risks.push({
      code: 'discard_old_limits',
      message:
        `TASKS has ${limits.join(' and ')} with discard: old. When it is full the server deletes its oldest ` +
        'messages to store new ones, tasks no worker has run yet included, and publishers are told their ' +
        'tasks were stored. Use discard: new (a full stream then refuses new tasks and JetDeck reports ' +
        'it), or remove the limit.',
      settings: { discard: c.discard, max_bytes: c.max_bytes, max_msgs: c.max_msgs },
    });
  }
  const perSubjectRefuses = c.discard === DiscardPolicy.New && c.discard_new_per_subject === true;
  if (limited(c.max_msgs_per_subject) && !perSubjectRefuses) {
    risks.push({
      code: 'per_subject_limit',
      message:
        `TASKS keeps at most ${c.max_msgs_per_subject} message(s) per subject: every waiting task shares ` +
        'tasks.new (or tasks.high, tasks.typed.<type>), so each new task past the limit deletes the oldest ' +
        'waiting one. Remove max_msgs_per_subject, or set discard: new with discard_new_per_subject so the ' +
        'stream refuses new tasks instead.',
      settings: {
        discard: c.discard,
        max_msgs_per_subject: c.max_msgs_per_subject,
        discard_new_per_subject: c.discard_new_per_subject ?? false,
      },
    });
  }
  return risks;
}

export function wantedLaneConfig(lane: Lane): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: lane.consumer,
    filter_subject: lane.subject,
    ack_policy: AckPolicy.Explicit,
    // "all": nothing published before the consumer existed is skipped.
    deliver_policy: DeliverPolicy.All,
    max_deliver: LANE_CONSUMER_SETTINGS.max_deliver,
    ack_wait: nanos(LANE_CONSUMER_SETTINGS.ack_wait_ms),
    max_ack_pending: LANE_CONSUMER_SETTINGS.max_ack_pending,
  };
}

/**
 * The scheduled lane's consumer: like a task lane (pull, explicit ack, deliver all) but it never
 * gives up (every nak until due is a delivery) and its ack-pending cap is how many scheduled
 * tasks wait in the server's redelivery timer at once.
 */
export function wantedSchedulerConfig(): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: TASK_SCHEDULER_CONSUMER,
    filter_subject: SUBJECTS.scheduled,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_deliver: -1,
    ack_wait: nanos(SCHEDULER_CONSUMER_SETTINGS.ack_wait_ms),
    max_ack_pending: SCHEDULER_CONSUMER_SETTINGS.max_ack_pending,
  };
}

/** Creates the scheduled lane's consumer if missing; an existing one is used as it is. */
export async function ensureSchedulerConsumer(jsm: JetStreamManager): Promise<string[]> {
  const want = wantedSchedulerConfig();
  try {
    const ci = await jsm.consumers.info(TASKS_STREAM, want.durable_name);
    return warningsOf(diffConsumer(ci.config, want));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await jsm.consumers.add(TASKS_STREAM, want);
  } catch (err) {
    // Created concurrently (identical config), or the stream lacks the subject: say which.
    if (!(await jsm.consumers.info(TASKS_STREAM, want.durable_name).catch(() => undefined))) throw err;
  }
  return [];
}

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

const RECREATE_STREAM =
  'the server cannot change this on an existing stream: the stream must be recreated (its messages are lost)';
const RECREATE_CONSUMER =
  'the server cannot change this on an existing consumer: delete it and let JetDeck create it again';

function streamFields(replicas: number): Field<StreamConfig>[] {
  const w = wantedStreamConfig(replicas);
  return [
    {
      path: 'subjects',
      wanted: w.subjects,
      // The native schedules' subject (nats/schedules) is the operator's addition, not a difference.
      current: (c) => (c.subjects ?? []).filter((s) => s !== NATIVE_SCHEDULE_SUBJECTS),
      updatable: true,
      set: true,
    },
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
    // No num_replicas nor placement: they are chosen when TASKS is created and are the
    // operator's after that (R1 → R3 changes durability, not the queue's semantics).
    {
      // Only a difference where a size limit makes it matter (see topologyRisks).
      path: 'discard',
      wanted: w.discard,
      current: (c) => (hasSizeLimits(c) ? c.discard : w.discard),
      updatable: true,
    },
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

/** The replicas / placement change an explicit choice asks for (only what differs). */
function layoutPatch(
  current: StreamConfig,
  layout?: { replicas?: number; placement?: Placement },
): { patch: Partial<StreamConfig>; paths: string[] } {
  const patch: Partial<StreamConfig> = {};
  const paths: string[] = [];
  if (layout?.replicas !== undefined && layout.replicas !== current.num_replicas) {
    patch.num_replicas = layout.replicas;
    paths.push('stream.num_replicas');
  }
  if (layout?.placement) {
    const want = wantedStreamConfig(1, layout.placement).placement;
    if (want && JSON.stringify(want) !== JSON.stringify(current.placement ?? null)) {
      patch.placement = want;
      paths.push('stream.placement');
    }
  }
  return { patch, paths };
}

/** The stream or consumer asked about does not exist (the one test for it, core and worker alike). */
export function isNotFound(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamNotFound || err.code === JetStreamApiCodes.ConsumerNotFound)
  );
}

/** The fixed lanes plus any typed lanes that already exist on the stream. */
async function laneSpecs(jsm: JetStreamManager, streamExists: boolean): Promise<Lane[]> {
  const lanes: Lane[] = [NORMAL_LANE, HIGH_LANE];
  if (!streamExists) return lanes;
  const prefix = typedLaneConsumer('');
  for await (const ci of jsm.consumers.list(TASKS_STREAM)) {
    const name = ci.config.durable_name ?? ci.name;
    if (name.startsWith(prefix)) lanes.push(typedLane(name.slice(prefix.length)));
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
  opts: { create: boolean; placement?: Placement },
): Promise<TopologyReport> {
  const report: TopologyReport = {
    state: 'ok',
    diff: [],
    stream: { kind: 'stream', name: TASKS_STREAM, state: 'ok', diff: [] },
    consumers: [],
    risks: [],
    replicas,
    checkedAt: new Date().toISOString(),
  };
  let streamExists = false;
  try {
    const si = await jsm.streams.info(TASKS_STREAM);
    streamExists = true;
    report.streamReplicas = si.config.num_replicas;
    if (si.config.placement) report.placement = si.config.placement;
    report.stream.diff = stripWhy(diffStream(si.config, replicas));
    report.risks = topologyRisks(si.config);
    if (report.stream.diff.length) report.stream.state = 'differs';
  } catch (err) {
    if (!isNotFound(err)) return failed(report, err);
    if (opts.create) {
      try {
        const created = await jsm.streams.add(wantedStreamConfig(replicas, opts.placement));
        streamExists = true;
        report.stream.state = 'created';
        report.streamReplicas = created.config.num_replicas;
        if (created.config.placement) report.placement = created.config.placement;
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
  report.consumers.push(
    await inspectConsumer(jsm, TASK_SCHEDULER_CONSUMER, wantedSchedulerConfig(), streamExists && opts.create),
  );
  return summarize(report);
}

function inspectLane(jsm: JetStreamManager, lane: Lane, create: boolean): Promise<TopologyItem> {
  return inspectConsumer(jsm, lane.consumer, wantedLaneConfig(lane), create);
}

async function inspectConsumer(
  jsm: JetStreamManager,
  name: string,
  wanted: Partial<ConsumerConfig>,
  create: boolean,
): Promise<TopologyItem> {
  const item: TopologyItem = { kind: 'consumer', name, state: 'ok', diff: [] };
  try {
    const ci = await jsm.consumers.info(TASKS_STREAM, name);
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
  const lane = typedLane(type);
  try {
    await jsm.consumers.info(TASKS_STREAM, lane.consumer);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(TASKS_STREAM, wantedLaneConfig(lane));
  }
}

export interface TopologyResult {
  /** Human-readable differences between what exists and what JetDeck would create. */
  warnings: string[];
  /** The lane consumers' actual settings (existing ones may differ from ours). */
  consumers: Record<string, ConsumerInfo>;
}

/** One line per difference, for a worker's log. */
const warningsOf = (diff: TopologyDiff[]) =>
  diff.map(
    (d) => `${d.path}: is ${JSON.stringify(d.current)}, JetDeck would use ${JSON.stringify(d.wanted)}`,
  );

/** Creates the stream if missing; returns differences of an existing one. */
export async function ensureStream(
  jsm: JetStreamManager,
  replicas = 1,
  placement?: Placement,
): Promise<string[]> {
  try {
    const info = await jsm.streams.info(TASKS_STREAM);
    return warningsOf(diffStream(info.config, replicas));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await jsm.streams.add(wantedStreamConfig(replicas, placement));
  } catch (err) {
    // Another process created it between our info and add: use theirs.
    const exists = await jsm.streams.info(TASKS_STREAM).catch(() => undefined);
    if (!exists) throw err;
  }
  return [];
}

/** Creates one lane consumer if missing; an existing one is returned unchanged, with differences. */
export async function ensureLaneConsumer(
  jsm: JetStreamManager,
  lane: Lane,
  /** Recreating a consumer deleted under a running worker: start here, not at the stream's beginning. */
  since?: Date,
): Promise<{ info: ConsumerInfo; warnings: string[] }> {
  const want = wantedLaneConfig(lane);
  const create = since
    ? { ...want, deliver_policy: DeliverPolicy.StartTime, opt_start_time: since.toISOString() }
    : want;
  const existing = async () => {
    const info = await jsm.consumers.info(TASKS_STREAM, lane.consumer);
    return { info, warnings: warningsOf(diffConsumer(info.config, want)) };
  };
  try {
    return await existing();
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    return { info: await jsm.consumers.add(TASKS_STREAM, create), warnings: [] };
  } catch (err) {
    // Created concurrently (possibly with another config): read it back and use it.
    return existing().catch(() => {
      throw err;
    });
  }
}

/** Stream plus every lane consumer `lanes` needs. Safe to call from many workers at once. */
export async function ensureTopology(
  jsm: JetStreamManager,
  opts: { lanes?: Lane[]; replicas?: number; placement?: Placement } = {},
): Promise<TopologyResult> {
  const warnings = await ensureStream(jsm, opts.replicas, opts.placement);
  // Every JetDeck process releases scheduled tasks; a TASKS without `tasks.scheduled` (made
  // before the lane existed) is a warning here and a difference on the Tasks screen.
  warnings.push(
    ...(await ensureSchedulerConsumer(jsm).catch((e: unknown) => [
      `${TASK_SCHEDULER_CONSUMER}: ${errMessage(e)}`,
    ])),
  );
  const consumers: Record<string, ConsumerInfo> = {};
  for (const lane of opts.lanes ?? lanesFor()) {
    const r = await ensureLaneConsumer(jsm, lane);
    consumers[lane.consumer] = r.info;
    warnings.push(...r.warnings);
  }
  return { warnings, consumers };
}

/**
 * Applies what can be applied in place: stream subjects, ages, windows, replicas, discard;
 * consumer max_deliver / ack_wait / max_ack_pending. Creates missing pieces. Lists the rest.
 */
export async function applyTopology(
  jsm: JetStreamManager,
  replicas: number,
  /** Asked explicitly (the user chose them now): change the existing stream's replicas / placement too. */
  layout?: { replicas?: number; placement?: Placement },
): Promise<ApplyTopologyResult> {
  const updated: string[] = [];
  const notApplied: { path: string; reason: string }[] = [];
  let streamExists = true;
  try {
    const si = await jsm.streams.info(TASKS_STREAM);
    const diff = diffStream(si.config, replicas);
    const asked = layoutPatch(si.config, layout);
    if (asked.paths.length) {
      try {
        const after = await jsm.streams.update(TASKS_STREAM, asked.patch);
        for (const path of asked.paths) {
          const key = path.slice('stream.'.length) as 'num_replicas' | 'placement';
          if (JSON.stringify(after.config[key] ?? null) === JSON.stringify(asked.patch[key] ?? null))
            updated.push(path);
          else
            notApplied.push({
              path,
              reason: `the server accepted the update but kept ${JSON.stringify(after.config[key])}${key === 'num_replicas' ? ' (more replicas than the servers it has?)' : ''}`,
            });
        }
      } catch (err) {
        for (const path of asked.paths)
          notApplied.push({ path, reason: `the server refused the update: ${errMessage(err)}` });
      }
    }
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
      // Applying the subjects keeps the native schedules' one where the operator added it.
      if (patch.subjects && si.config.subjects?.includes(NATIVE_SCHEDULE_SUBJECTS))
        patch.subjects = [...patch.subjects, NATIVE_SCHEDULE_SUBJECTS];
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
      const wanted = wantedLaneConfig(lane);
      let diff: (TopologyDiff & { why?: string })[];
      try {
        diff = diffConsumer((await jsm.consumers.info(TASKS_STREAM, lane.consumer)).config, wanted);
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
        const key = d.path.slice(`consumer.${lane.consumer}.`.length) as keyof ConsumerConfig;
        patch[key] = wanted[key];
      }
      try {
        await jsm.consumers.update(TASKS_STREAM, lane.consumer, patch);
        updated.push(...fixable.map((d) => d.path));
      } catch (err) {
        for (const d of fixable)
          notApplied.push({ path: d.path, reason: `the server refused the update: ${errMessage(err)}` });
      }
    }
  }
  const report = await inspectTopology(jsm, replicas, { create: true, placement: layout?.placement });
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
  else if (report.risks.length) report.state = 'at_risk';
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
