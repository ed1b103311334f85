import { z } from 'zod';
import { event, method } from '../define';

/*
 * The monitor: servers, JetStream, consumers and the worker pool over time; advisories; health
 * checks. Everything here is plain data, shared by core and renderer.
 */

// ─── Sources ────────────────────────────────────────────────────────────────────────────────

/** Where server data comes from, best first: system account, HTTP monitoring, the account's own view. */
export type MonitorSourceKind = 'system' | 'http' | 'account';

export interface MonitorSourceInfo {
  source: MonitorSourceKind;
  /** Human sentence: what is used and what more credentials or settings would show. */
  explanation: string;
  /** Sources tried before this one and why they were not used (e.g. system creds rejected). */
  fallbacks: { source: MonitorSourceKind; reason: string }[];
  /** HTTP monitoring URLs in use (http source). */
  monitorUrls?: string[];
  /** What this source can show. */
  capabilities: {
    allServers: boolean;
    varz: boolean;
    jsz: boolean;
    connz: 'all' | 'account' | 'none';
    routes: boolean;
    health: boolean;
    systemAdvisories: boolean;
  };
}

// ─── Servers (normalised varz/jsz/routez/gatewayz/leafz/healthz) ────────────────────────────

export interface MonitorJsz {
  streams: number;
  consumers: number;
  messages: number;
  bytes: number;
  memory: { used: number; max: number };
  storage: { used: number; max: number };
  api: { total: number; errors: number };
  /** The JetStream meta group as this server sees it. */
  meta?: {
    cluster?: string;
    leader?: string;
    clusterSize?: number;
    peers: { name: string; current: boolean; offline: boolean; active?: number }[];
  };
}

export interface MonitorRoute {
  remoteId: string;
  remoteName?: string;
  ip: string;
  port: number;
  rtt?: string;
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  pendingBytes: number;
}
export interface MonitorGateway {
  name: string;
  outbound: boolean;
  inboundCount: number;
}
export interface MonitorLeaf {
  name?: string;
  account?: string;
  ip: string;
  port: number;
  rtt?: string;
  inMsgs: number;
  outMsgs: number;
}

export type ServerState = 'up' | 'down';

export interface MonitorServer {
  /** Stable key: the server name (ids change on restart). */
  name: string;
  id: string;
  state: ServerState;
  /** Epoch ms of the last reply from this server. */
  lastSeen: number;
  /** Epoch ms when the state last changed. */
  since: number;
  version?: string;
  cluster?: string;
  host?: string;
  port?: number;
  /** CPU % (of one core, like `top`). Undefined when the source cannot see it. */
  cpu?: number;
  /** Resident memory in bytes. */
  mem?: number;
  connections?: number;
  totalConnections?: number;
  subscriptions?: number;
  inMsgs?: number;
  outMsgs?: number;
  inBytes?: number;
  outBytes?: number;
  slowConsumers?: number;
  /** Seconds since the server started. */
  uptimeSec?: number;
  routes?: MonitorRoute[];
  gateways?: MonitorGateway[];
  leafs?: MonitorLeaf[];
  jsz?: MonitorJsz;
  health?: { status: 'ok' | 'error' | 'unknown'; error?: string };
  /** Account-source only: the account's own numbers on this server. */
  account?: {
    name: string;
    connections: number;
    inMsgs: number;
    outMsgs: number;
    inBytes: number;
    outBytes: number;
  };
}

export interface MonitorServersResult {
  source: MonitorSourceInfo;
  servers: MonitorServer[];
  /** The account's JetStream usage and limits ($JS.API.INFO), available with every source. */
  account?: {
    memory: number;
    storage: number;
    streams: number;
    consumers: number;
    limits: { memory: number; storage: number; streams: number; consumers: number };
    api: { total: number; errors: number };
  };
  fetchedAt: number;
}

// ─── Connections (connz) ────────────────────────────────────────────────────────────────────

export const CONNZ_SORT_FIELDS = [
  'cid',
  'server',
  'name',
  'inMsgs',
  'outMsgs',
  'inBytes',
  'outBytes',
  'pendingBytes',
  'subscriptions',
  'uptimeSec',
  'idleSec',
  'rttMs',
] as const;
export type ConnzSortField = (typeof CONNZ_SORT_FIELDS)[number];

export interface MonitorClient {
  server: string;
  cid: number;
  name?: string;
  kind?: string;
  ip: string;
  port: number;
  account?: string;
  user?: string;
  lang?: string;
  version?: string;
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  pendingBytes: number;
  subscriptions: number;
  uptimeSec: number;
  idleSec: number;
  rttMs?: number;
}

export const connzInputSchema = z
  .strictObject({
    sort: z.enum(CONNZ_SORT_FIELDS).default('cid'),
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: z.number().int().positive().max(10_000).default(500),
    /** Only clients of this server name. */
    server: z.string().min(1).optional(),
    /** Case-insensitive substring of name, ip, account, user or lang. */
    q: z.string().max(200).optional(),
  })
  .default({ sort: 'cid', order: 'desc', limit: 500 });

export interface ConnzResult {
  source: MonitorSourceKind;
  /** 'account' when only this account's clients are visible. */
  scope: 'all' | 'account';
  total: number;
  clients: MonitorClient[];
  fetchedAt: number;
}

// ─── Samples and history ────────────────────────────────────────────────────────────────────

export type SeriesKind = 'server' | 'stream' | 'consumer' | 'pool';

/** Metrics sampled per kind. Rates are per second; ttd_sec is a time-to-drain estimate. */
export const SERIES_METRICS = {
  server: [
    'msgs_in_rate',
    'msgs_out_rate',
    'bytes_in_rate',
    'bytes_out_rate',
    'cpu',
    'mem',
    'connections',
    'slow_consumers',
  ],
  stream: ['messages', 'bytes', 'msgs_rate', 'bytes_rate', 'consumers'],
  consumer: ['pending', 'ack_pending', 'redelivered', 'waiting', 'delivered_rate', 'ttd_sec'],
  pool: ['throughput', 'failed_rate', 'in_flight', 'p50_ms', 'p95_ms', 'p99_ms'],
} as const satisfies Record<SeriesKind, readonly string[]>;
export type SeriesMetric<K extends SeriesKind = SeriesKind> = (typeof SERIES_METRICS)[K][number];

/**
 * A series key is `kind:id:metric`, e.g. `server:n1:cpu`, `consumer:TASKS/task-workers:pending`,
 * `pool:pool:p95_ms`. The id may contain ':' (split on the first and last).
 */
export function seriesKey(kind: SeriesKind, id: string, metric: string): string {
  return `${kind}:${id}:${metric}`;
}
export function parseSeriesKey(key: string): { kind: SeriesKind; id: string; metric: string } | undefined {
  const a = key.indexOf(':');
  const b = key.lastIndexOf(':');
  if (a <= 0 || b <= a) return undefined;
  const kind = key.slice(0, a);
  if (kind !== 'server' && kind !== 'stream' && kind !== 'consumer' && kind !== 'pool') return undefined;
  return { kind, id: key.slice(a + 1, b), metric: key.slice(b + 1) };
}

/** One sampler tick: every series' value at `t` (absent series had no value). */
export interface MonitorSample {
  t: number;
  values: Record<string, number>;
}

/** Event payload, once per sample interval: all new points at once plus the live server states. */
export interface MonitorSampleBatch {
  profileId: string;
  source: MonitorSourceKind;
  intervalMs: number;
  samples: MonitorSample[];
  servers: { name: string; state: ServerState; lastSeen: number }[];
  /** How long the last sample took, ms (sampler cost). */
  sampleMs: number;
}

export const HISTORY_RANGES = ['5m', '1h', '24h'] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

export const historyInputSchema = z.strictObject({
  range: z.enum(HISTORY_RANGES).default('5m'),
  /** Another profile's persisted history; default: the active (or last active) profile. */
  profileId: z.string().min(1).optional(),
  /** Series keys or key prefixes (e.g. `consumer:TASKS/`); all series when omitted. */
  series: z.array(z.string().min(1).max(500)).max(2000).optional(),
});

/** Columnar, uPlot-ready: `t` (epoch ms) and one aligned array per series; null = no value. */
export interface MonitorHistory {
  profileId?: string;
  range: HistoryRange;
  resolutionMs: number;
  t: number[];
  series: Record<string, (number | null)[]>;
}

// ─── Health checks ──────────────────────────────────────────────────────────────────────────

export type HealthStatus = 'OK' | 'WARN' | 'CRIT';

/** A warn/crit pair; null disables that level. */
const levelSchema = z
  .strictObject({ warn: z.number().nonnegative().nullable(), crit: z.number().nonnegative().nullable() })
  .refine((l) => l.warn === null || l.crit === null || l.warn <= l.crit, { message: 'warn must be ≤ crit' });
export type ThresholdLevel = z.infer<typeof levelSchema>;

export const consumerThresholdsSchema = z.strictObject({
  /** Messages not yet delivered (num_pending). */
  maxPending: levelSchema,
  /** Delivered but not acknowledged. */
  maxAckPending: levelSchema,
  /** Messages redelivered at least once (num_redelivered). */
  maxRedelivered: levelSchema,
  /** Seconds since the last ack while work is waiting. */
  lastAckAgeSec: levelSchema,
});
export const streamThresholdsSchema = z.strictObject({
  /** messages / max_msgs (0..1) where a limit is set. */
  msgsRatio: levelSchema,
  /** bytes / max_bytes (0..1) where a limit is set. */
  bytesRatio: levelSchema,
  /** Operations a replica is behind the leader; an offline replica is always CRIT. */
  replicaLag: levelSchema,
});
export type ConsumerThresholds = z.infer<typeof consumerThresholdsSchema>;
export type StreamThresholds = z.infer<typeof streamThresholdsSchema>;

export const thresholdsSchema = z.strictObject({
  consumer: consumerThresholdsSchema,
  stream: streamThresholdsSchema,
  /** Per-object overrides: key `consumer:<stream>/<consumer>` or `stream:<stream>`. */
  overrides: z
    .record(
      z
        .string()
        .regex(
          /^(consumer:[^/\s]+\/[^/\s]+|stream:[^/\s]+)$/,
          'key must be consumer:<stream>/<consumer> or stream:<stream>',
        ),
      z.union([consumerThresholdsSchema.partial(), streamThresholdsSchema.partial()]),
    )
    .default({}),
});
export type Thresholds = z.infer<typeof thresholdsSchema>;

export type NotificationLevel = 'off' | 'crit' | 'warn+';

export interface MonitorConfig {
  intervalMs: number;
  thresholds: Thresholds;
  notifications: NotificationLevel;
}

export const configSetSchema = z.strictObject({
  intervalMs: z.number().int().min(250).max(60_000).optional(),
  thresholds: z
    .strictObject({
      consumer: consumerThresholdsSchema.partial().optional(),
      stream: streamThresholdsSchema.partial().optional(),
      overrides: thresholdsSchema.shape.overrides.optional(),
    })
    .optional(),
  notifications: z.enum(['off', 'crit', 'warn+']).optional(),
});

export interface HealthReason {
  check: string;
  status: HealthStatus;
  message: string;
  value: number;
  threshold: number;
}
export interface HealthEntry {
  /** `stream:<name>` or `consumer:<stream>/<name>` — the same key the overrides use. */
  key: string;
  kind: 'stream' | 'consumer';
  stream: string;
  consumer?: string;
  status: HealthStatus;
  reasons: HealthReason[];
  since: number;
}
export interface HealthMap {
  at: number;
  /** Worst status overall, for the Overview badge. */
  overall: HealthStatus;
  entries: Record<string, HealthEntry>;
}
export interface HealthChange {
  at: number;
  changes: { key: string; from: HealthStatus | null; to: HealthStatus | null; entry?: HealthEntry }[];
  overall: HealthStatus;
}
export interface MonitorAlert {
  severity: 'warn' | 'crit';
  title: string;
  body: string;
  key: string;
  at: number;
}

// ─── Advisories ─────────────────────────────────────────────────────────────────────────────

export const ADVISORY_KINDS = [
  'max_deliver',
  'nak',
  'terminated',
  'consumer_created',
  'consumer_deleted',
  'consumer_updated',
  'stream_created',
  'stream_deleted',
  'stream_updated',
  'leader_elected',
  'quorum_lost',
  'out_of_storage',
  'api_audit',
  'server',
  'other',
] as const;
export type AdvisoryKind = (typeof ADVISORY_KINDS)[number];

export interface Advisory {
  /** Session-unique, increasing. */
  seq: number;
  /** Epoch ms (the advisory's own timestamp when it has one). */
  time: number;
  kind: AdvisoryKind;
  severity: 'info' | 'warn' | 'crit';
  /** The advisory's `type`, e.g. io.nats.jetstream.advisory.v1.max_deliver. */
  type: string;
  subject: string;
  /** 'account' = $JS.EVENT.ADVISORY in the user's account; 'system' = via the system account. */
  origin: 'account' | 'system';
  stream?: string;
  consumer?: string;
  summary: string;
  data: unknown;
}

export const advisoryFilterSchema = z
  .strictObject({
    kinds: z.array(z.enum(ADVISORY_KINDS)).optional(),
    stream: z.string().min(1).optional(),
    consumer: z.string().min(1).optional(),
    severity: z.enum(['info', 'warn', 'crit']).optional(),
    /** Only advisories after this seq (for incremental reads). */
    afterSeq: z.number().int().nonnegative().optional(),
    since: z.number().nonnegative().optional(),
  })
  .default({});

export const advisoriesListSchema = z
  .strictObject({
    filter: advisoryFilterSchema,
    /** Case-insensitive substring of subject, summary or JSON body. */
    q: z.string().max(500).optional(),
    limit: z.number().int().positive().max(10_000).default(1000),
  })
  .default({ filter: {}, limit: 1000 });

export interface AdvisoriesPage {
  advisories: Advisory[];
  /** Matching advisories in the buffer (before the limit). */
  total: number;
  /** Advisories dropped from the bounded buffer this session. */
  dropped: number;
  capacity: number;
  /** Whether system advisories are being received. */
  systemFeed: boolean;
}
export interface AdvisoriesBatch {
  advisories: Advisory[];
  dropped: number;
}

// ─── Methods and events ─────────────────────────────────────────────────────────────────────

const none = z.strictObject({}).optional();

export const monitorMethods = {
  /** Which source is used and what more credentials would show. */
  'monitor.sources': method(none).returns<MonitorSourceInfo>(),
  /** Current normalised data of every known server (down ones included). */
  'monitor.servers': method(
    z.strictObject({ detail: z.boolean().default(true) }).default({ detail: true }),
  ).returns<MonitorServersResult>(),
  'monitor.connz': method(connzInputSchema).returns<ConnzResult>(),
  'monitor.history': method(historyInputSchema).returns<MonitorHistory>(),
  'monitor.config.get': method(none).returns<MonitorConfig>(),
  'monitor.config.set': method(configSetSchema).returns<MonitorConfig>(),
  'monitor.advisories.list': method(advisoriesListSchema).returns<AdvisoriesPage>(),
  /** JSON Lines, one advisory per line (filtered like list). */
  'monitor.advisories.export': method(
    z
      .strictObject({ filter: advisoryFilterSchema, q: z.string().max(500).optional() })
      .default({ filter: {} }),
  ).returns<{ jsonl: string; count: number }>(),
  'monitor.advisories.clear': method(none).returns<{ cleared: number }>(),
  'monitor.health': method(none).returns<HealthMap>(),
};

export const monitorEvents = {
  'monitor.sample': event<MonitorSampleBatch>(),
  'monitor.advisories': event<AdvisoriesBatch>(),
  'monitor.health': event<HealthChange>(),
  'monitor.alert': event<MonitorAlert>(),
};
