import { z } from 'zod';
import { event, method } from '../define';

/*
 * Streams and consumers: listing, detail, admin. Configs travel in the server's own JSON
 * shape (snake_case, durations in nanoseconds) so the JSON editor shows exactly what the
 * server stores; the form edits the common fields of the same object.
 */

// ---------- capabilities (decided by server version, never by catching errors) ----------

export const CAPABILITY_NAMES = [
  'multiFilterSubjects',
  'streamMetadata',
  'subjectTransform',
  'compression',
  'firstSeq',
  'consumerLimits',
  'consumerPause',
  'priorityGroups',
  'perMessageTtl',
  'batchDirectGet',
  'msgGetStartTime',
  'consumerReset',
  'atomicBatch',
  'counters',
] as const;
export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

export interface Capability {
  supported: boolean;
  /** Server version that introduced it, e.g. "2.11.0". */
  minVersion: string;
  /** Why it is disabled (set when unsupported), ready to show in a tooltip. */
  reason?: string;
}
export interface ServerCapabilities {
  serverVersion: string;
  features: Record<CapabilityName, Capability>;
}

// ---------- backups ----------

/** A backup folder's name under `<data folder>/backups`: one path segment, no traversal. */
export const backupNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'a backup name uses letters, digits, _ . - (and no leading dot)');

export interface BackupInfo {
  name: string;
  stream: string;
  messages: number;
  lastSeq: number;
  consumers: number;
  bytes: number;
  /** ISO time the backup folder was written. */
  at: string;
}

export interface BackupProgressEvent {
  op: 'backup' | 'restore';
  stream: string;
  name: string;
  bytes: number;
  totalBytes: number;
  chunks: number;
  done: boolean;
}

// ---------- names, subjects ----------

/** Stream/consumer names: no whitespace, `.`, `*`, `>`, path separators (server rules). */
export const jsNameSchema = z
  .string()
  .min(1, 'name is required')
  .max(255)
  .regex(/^[^\s.*>/\\]+$/, 'name may not contain spaces, ".", "*", ">", "/" or "\\"');

/** A NATS subject, wildcards allowed (`*` whole token, `>` last token). */
export const subjectSchema = z.string().min(1, 'subject is required').max(1024).refine(isValidSubject, {
  message: 'invalid subject: tokens must be non-empty; "*" and ">" only as whole tokens, ">" last',
});

export function isValidSubject(s: string): boolean {
  if (/\s/.test(s)) return false;
  const tokens = s.split('.');
  return tokens.every(
    (t, i) => t.length > 0 && (t === '>' ? i === tokens.length - 1 : t === '*' || !/[*>]/.test(t)),
  );
}

// ---------- stream config ----------

const nanos = z.number().int().nonnegative();
const limit = z.number().int().min(-1);

const streamSourceSchema = z
  .strictObject({
    name: jsNameSchema,
    opt_start_seq: z.number().int().nonnegative().optional(),
    opt_start_time: z.string().optional(),
    filter_subject: z.string().optional(),
    external: z.strictObject({ api: z.string(), deliver: z.string().optional() }).optional(),
    domain: z.string().optional(),
  })
  .loose();

/**
 * Common stream fields are typed and checked; anything else the server knows passes through
 * (the JSON editor may set fields newer than this schema). Version-gated fields are checked
 * against the server's version by the core before sending.
 */
export const streamConfigSchema = z
  .strictObject({
    name: jsNameSchema,
    description: z.string().max(4096).optional(),
    subjects: z.array(subjectSchema).optional(),
    retention: z.enum(['limits', 'interest', 'workqueue']).optional(),
    storage: z.enum(['file', 'memory']).optional(),
    num_replicas: z
      .number()
      .int()
      .min(1, 'num_replicas must be 1..5')
      .max(5, 'num_replicas must be 1..5')
      .optional(),
    max_consumers: limit.optional(),
    max_msgs: limit.optional(),
    max_bytes: limit.optional(),
    max_age: nanos.optional(),
    max_msgs_per_subject: limit.optional(),
    max_msg_size: limit.optional(),
    discard: z.enum(['old', 'new']).optional(),
    discard_new_per_subject: z.boolean().optional(),
    duplicate_window: nanos.optional(),
    allow_rollup_hdrs: z.boolean().optional(),
    deny_delete: z.boolean().optional(),
    deny_purge: z.boolean().optional(),
    allow_direct: z.boolean().optional(),
    mirror_direct: z.boolean().optional(),
    sealed: z.boolean().optional(),
    no_ack: z.boolean().optional(),
    mirror: streamSourceSchema.optional(),
    sources: z.array(streamSourceSchema).optional(),
    placement: z
      .strictObject({ cluster: z.string().optional(), tags: z.array(z.string()).optional() })
      .loose()
      .optional(),
    republish: z
      .strictObject({ src: z.string().optional(), dest: z.string(), headers_only: z.boolean().optional() })
      .loose()
      .optional(),
    // 2.10+
    metadata: z.record(z.string(), z.string()).optional(),
    compression: z.enum(['none', 's2']).optional(),
    first_seq: z.number().int().nonnegative().optional(),
    subject_transform: z.strictObject({ src: z.string().optional(), dest: z.string() }).loose().optional(),
    consumer_limits: z
      .strictObject({ inactive_threshold: nanos.optional(), max_ack_pending: z.number().int().optional() })
      .optional(),
    // 2.11+
    allow_msg_ttl: z.boolean().optional(),
    subject_delete_marker_ttl: nanos.optional(),
    // 2.12+
    allow_atomic: z.boolean().optional(),
    allow_msg_counter: z.boolean().optional(),
  })
  .loose()
  .refine((c) => !(c.mirror && c.subjects && c.subjects.length > 0), {
    message: 'a mirror stream may not list subjects',
    path: ['subjects'],
  });
export type StreamConfigInput = z.input<typeof streamConfigSchema>;
/** The server's stream config as returned (all fields the server sent). */
export type StreamConfigJson = z.output<typeof streamConfigSchema> & Record<string, unknown>;

// ---------- stream views ----------

export interface ReplicaHealth {
  name: string;
  current: boolean;
  offline: boolean;
  /** Milliseconds since the replica was last seen. */
  activeMs: number;
  /** Operations behind the leader. */
  lag: number;
}
export interface ClusterView {
  name?: string;
  leader?: string;
  replicas: ReplicaHealth[];
  /** All replicas current and online (true for R1). */
  healthy: boolean;
}

export interface StreamSummary {
  name: string;
  description?: string;
  subjects: string[];
  storage: 'file' | 'memory';
  retention: 'limits' | 'interest' | 'workqueue';
  replicas: number;
  cluster?: ClusterView;
  messages: number;
  bytes: number;
  firstSeq: number;
  /** ISO time; absent when the stream is empty. */
  firstTime?: string;
  lastSeq: number;
  lastTime?: string;
  consumers: number;
  deleted: number;
  created: string;
  isMirror: boolean;
  sourceCount: number;
  /** Messages per second, oldest first (up to ~60 points), filled while someone watches. */
  rate: number[];
}

export interface SourceView {
  name: string;
  lag: number;
  activeMs: number;
  filterSubject?: string;
  error?: string;
}

export interface StreamDetail extends StreamSummary {
  config: StreamConfigJson;
  /** Per-subject message counts for `subjectsFilter` (absent when not requested). */
  subjects_counts?: { filter: string; counts: Record<string, number>; total: number; truncated: boolean };
  numSubjects?: number;
  mirror?: SourceView;
  sources: SourceView[];
  capabilities: ServerCapabilities;
}

export const STREAM_SORT_KEYS = ['name', 'messages', 'bytes', 'consumers', 'lastTime'] as const;

export interface StreamListResult {
  streams: StreamSummary[];
  /** Streams matching the search (before offset/limit). */
  total: number;
  /** Streams in the account. */
  accountTotal: number;
  capabilities: ServerCapabilities;
}

export interface FieldChange {
  /** Dotted path, e.g. "max_age" or "placement.cluster". */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
  /** The server refuses to change this field on an existing stream. */
  immutable?: boolean;
}
export interface StreamDiff {
  name: string;
  changes: FieldChange[];
  /** The full config that `streams.update` would send (current merged with the edit). */
  merged: StreamConfigJson;
  /** Problems known before sending (immutable fields, version-gated fields). */
  problems: string[];
}

export const purgeSchema = z.discriminatedUnion('mode', [
  z.strictObject({ name: jsNameSchema, mode: z.literal('all') }),
  z.strictObject({ name: jsNameSchema, mode: z.literal('subject'), subject: subjectSchema }),
  z.strictObject({
    name: jsNameSchema,
    mode: z.literal('upToSeq'),
    /** Purge everything below this sequence (it is kept). */
    seq: z.number().int().positive(),
    subject: subjectSchema.optional(),
  }),
  z.strictObject({
    name: jsNameSchema,
    mode: z.literal('keep'),
    keep: z.number().int().nonnegative(),
    subject: subjectSchema.optional(),
  }),
]);
export type PurgeInput = z.input<typeof purgeSchema>;

// ---------- consumers ----------

export const consumerConfigSchema = z
  .strictObject({
    name: jsNameSchema.optional(),
    durable_name: jsNameSchema.optional(),
    description: z.string().max(4096).optional(),
    ack_policy: z.enum(['none', 'all', 'explicit']).optional(),
    deliver_policy: z
      .enum(['all', 'last', 'new', 'by_start_sequence', 'by_start_time', 'last_per_subject'])
      .optional(),
    opt_start_seq: z.number().int().positive().optional(),
    opt_start_time: z.string().optional(),
    replay_policy: z.enum(['instant', 'original']).optional(),
    ack_wait: nanos.optional(),
    max_deliver: z.number().int().min(-1).optional(),
    max_ack_pending: z.number().int().min(-1).optional(),
    max_waiting: z.number().int().nonnegative().optional(),
    max_batch: z.number().int().nonnegative().optional(),
    max_expires: nanos.optional(),
    max_bytes: z.number().int().nonnegative().optional(),
    inactive_threshold: nanos.optional(),
    backoff: z.array(nanos).optional(),
    filter_subject: subjectSchema.optional(),
    filter_subjects: z.array(subjectSchema).optional(),
    deliver_subject: subjectSchema.optional(),
    deliver_group: z.string().optional(),
    flow_control: z.boolean().optional(),
    idle_heartbeat: nanos.optional(),
    headers_only: z.boolean().optional(),
    num_replicas: z.number().int().min(0).max(5).optional(),
    mem_storage: z.boolean().optional(),
    sample_freq: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    rate_limit_bps: z.number().int().nonnegative().optional(),
    pause_until: z.string().optional(),
  })
  .loose()
  .refine((c) => !(c.deliver_policy === 'by_start_sequence' && c.opt_start_seq === undefined), {
    message: 'deliver_policy by_start_sequence needs opt_start_seq',
    path: ['opt_start_seq'],
  })
  .refine((c) => !(c.deliver_policy === 'by_start_time' && !c.opt_start_time), {
    message: 'deliver_policy by_start_time needs opt_start_time',
    path: ['opt_start_time'],
  })
  .refine((c) => !(c.name && c.durable_name && c.name !== c.durable_name), {
    message: 'name and durable_name must match when both are set',
    path: ['durable_name'],
  });
export type ConsumerConfigInput = z.input<typeof consumerConfigSchema>;
export type ConsumerConfigJson = z.output<typeof consumerConfigSchema> & Record<string, unknown>;

export interface ConsumerSequence {
  consumerSeq: number;
  streamSeq: number;
  /** ISO time of the last activity, absent if never. */
  lastActive?: string;
}
export interface ConsumerCapabilities {
  pause: Capability;
  reset: Capability;
  multiFilter: Capability;
}
export interface ConsumerSummary {
  stream: string;
  name: string;
  durable: boolean;
  description?: string;
  created: string;
  kind: 'pull' | 'push';
  ackPolicy: string;
  deliverPolicy: string;
  filterSubjects: string[];
  numPending: number;
  numAckPending: number;
  numRedelivered: number;
  numWaiting: number;
  /** Messages still to deliver (num_pending): what "sort by lag" sorts on. */
  lag: number;
  delivered: ConsumerSequence;
  ackFloor: ConsumerSequence;
  /** Latest of delivered/ack floor activity (ISO), absent if never active. */
  lastActive?: string;
  paused: boolean;
  pauseRemainingMs?: number;
  pushBound: boolean;
  cluster?: ClusterView;
  config: ConsumerConfigJson;
}
export interface ConsumerListResult {
  consumers: ConsumerSummary[];
  total: number;
  capabilities: ConsumerCapabilities;
  /** Streams whose consumers could not be listed, with the server's message. */
  errors: { stream: string; message: string }[];
}

export const CONSUMER_SORT_KEYS = [
  'name',
  'stream',
  'lag',
  'ackPending',
  'redelivered',
  'waiting',
  'lastActive',
] as const;

export interface RatesEvent {
  /** Sample time (ms since epoch). */
  at: number;
  intervalMs: number;
  /** Latest messages/s per stream. Full history is in `streams.list` (`rate`). */
  rates: Record<string, number>;
}

// ---------- methods ----------

const order = z.enum(['asc', 'desc']).optional();
const consumerRef = z.strictObject({ stream: jsNameSchema, name: jsNameSchema });

export const streamsMethods = {
  'streams.capabilities': method(z.strictObject({}).optional()).returns<ServerCapabilities>(),
  /** All streams of the account (read in server pages of 256), searched, sorted and sliced. */
  'streams.list': method(
    z
      .strictObject({
        /** Case-insensitive substring of the name or of a subject. */
        search: z.string().max(256).optional(),
        sort: z.enum(STREAM_SORT_KEYS).optional(),
        order,
        offset: z.number().int().nonnegative().optional(),
        limit: z.number().int().positive().max(5000).optional(),
      })
      .optional(),
  ).returns<StreamListResult>(),
  'streams.info': method(
    z.strictObject({
      name: jsNameSchema,
      /** Per-subject counts for this filter (wildcards allowed), e.g. "tasks.>". */
      subjectsFilter: subjectSchema.optional(),
    }),
  ).returns<StreamDetail>(),
  'streams.create': method(z.strictObject({ config: streamConfigSchema })).returns<StreamDetail>(),
  /** Field-by-field diff of an edit against the stream's current config; nothing is sent. */
  'streams.diff': method(z.strictObject({ config: streamConfigSchema })).returns<StreamDiff>(),
  /** Merges the edit onto the current config and sends the whole config. */
  'streams.update': method(z.strictObject({ config: streamConfigSchema })).returns<StreamDetail>(),
  'streams.purge': method(purgeSchema).returns<{ purged: number }>(),
  /**
   * Backs the stream up (messages and consumers, via the server's snapshot API) into
   * `<data folder>/backups/<name>` in the layout `nats stream backup` writes. Progress on
   * 'streams.backupProgress'. Only inside the data folder: the API takes no file paths.
   */
  'streams.backup': method(
    z.strictObject({ stream: jsNameSchema, name: backupNameSchema.optional() }),
  ).returns<BackupInfo>(),
  /** Restores `<data folder>/backups/<name>` as the stream it was taken from (which must not exist). */
  'streams.restore': method(z.strictObject({ name: backupNameSchema })).returns<BackupInfo>(),
  /** The backups in `<data folder>/backups`, newest first. */
  'streams.backups': method(z.strictObject({}).optional()).returns<{ dir: string; backups: BackupInfo[] }>(),
  'streams.delete': method(
    z.strictObject({ name: jsNameSchema, confirmName: z.string() }).refine((v) => v.name === v.confirmName, {
      message: 'confirmName must equal the stream name exactly',
      path: ['confirmName'],
    }),
  ).returns<{ deleted: boolean }>(),
  /**
   * Starts (or renews, with `watchId`) interest in the rate sparklines: the core samples every
   * stream's last sequence every few seconds while at least one watch is alive. Watches expire
   * after `ttlMs` unless renewed, so a vanished UI stops the sampling.
   */
  'streams.watch': method(
    z
      .strictObject({
        watchId: z.string().optional(),
        ttlMs: z.number().int().min(5_000).max(600_000).optional(),
      })
      .optional(),
  ).returns<{ watchId: string; expiresAt: number; intervalMs: number }>(),
  'streams.unwatch': method(z.strictObject({ watchId: z.string() })).returns<{ stopped: boolean }>(),

  /** Consumers of one stream, or of every stream when `stream` is omitted. */
  'consumers.list': method(
    z
      .strictObject({
        stream: jsNameSchema.optional(),
        search: z.string().max(256).optional(),
        sort: z.enum(CONSUMER_SORT_KEYS).optional(),
        order,
      })
      .optional(),
  ).returns<ConsumerListResult>(),
  'consumers.info': method(consumerRef).returns<ConsumerSummary & { capabilities: ConsumerCapabilities }>(),
  'consumers.create': method(
    z.strictObject({ stream: jsNameSchema, config: consumerConfigSchema }),
  ).returns<ConsumerSummary>(),
  'consumers.update': method(
    z.strictObject({ stream: jsNameSchema, name: jsNameSchema, config: consumerConfigSchema }),
  ).returns<ConsumerSummary>(),
  'consumers.delete': method(consumerRef).returns<{ deleted: boolean }>(),
  /** 2.11+ (see capabilities.consumerPause). */
  'consumers.pause': method(
    consumerRef.extend({ until: z.union([z.string().datetime(), z.number().int().positive()]) }),
  ).returns<{
    paused: boolean;
    pauseUntil?: string;
  }>(),
  'consumers.resume': method(consumerRef).returns<{ paused: boolean }>(),
  /** Server support per capabilities.consumerReset; seq omitted resets to ack floor + 1. */
  'consumers.reset': method(
    consumerRef.extend({ seq: z.number().int().nonnegative().optional() }),
  ).returns<ConsumerSummary>(),
};

export const streamsEvents = {
  /** Progress of a backup or restore (batched: about every 16 chunks, and at the end). */
  'streams.backupProgress': event<BackupProgressEvent>(),
  /** Emitted each sampling tick while a watch is alive. */
  'streams.rates': event<RatesEvent>(),
  /** A stream was created, updated, purged or deleted through JetDeck. */
  'streams.changed': event<{ name: string; change: 'created' | 'updated' | 'purged' | 'deleted' }>(),
};
