import type {
  ConsumerThresholds,
  HealthChange,
  HealthEntry,
  HealthMap,
  HealthReason,
  HealthStatus,
  MonitorAlert,
  NotificationLevel,
  StreamThresholds,
  ThresholdLevel,
  Thresholds,
} from '../../api/features/monitor';

export interface ConsumerObservation {
  /** `consumer:<stream>/<name>`, when the caller has it prebuilt. */
  key?: string;
  stream: string;
  name: string;
  pending: number;
  ackPending: number;
  redelivered: number;
  /** Seconds since the consumer last acknowledged, only while work is waiting. */
  lastAckAgeSec?: number;
}
export interface StreamObservation {
  /** `stream:<name>`, when the caller has it prebuilt. */
  key?: string;
  name: string;
  messages: number;
  bytes: number;
  /** Limits; ≤ 0 means unlimited. */
  maxMsgs: number;
  maxBytes: number;
  replicas: { name: string; offline: boolean; lag: number }[];
}

const RANK: Record<HealthStatus, number> = { OK: 0, WARN: 1, CRIT: 2 };
const worst = (a: HealthStatus, b: HealthStatus): HealthStatus => (RANK[a] >= RANK[b] ? a : b);

/**
 * Health checks in the spirit of `nats server check`: every stream and consumer gets OK / WARN /
 * CRIT with reasons on each sample; changes (and alerts for the serious ones) are returned so
 * the caller emits one event per sample at most.
 */
export class HealthChecker {
  private entries = new Map<string, HealthEntry>();
  private at = 0;

  evaluate(
    streams: StreamObservation[],
    consumers: ConsumerObservation[],
    thresholds: Thresholds,
    now = Date.now(),
  ): HealthChange | undefined {
    const next = new Map<string, HealthEntry>();
    for (const s of streams) {
      const key = s.key ?? `stream:${s.name}`;
      const t = withOverride(thresholds.stream, thresholds.overrides[key]);
      next.set(key, this.entry(key, 'stream', s.name, undefined, streamReasons(s, t), now));
    }
    for (const c of consumers) {
      const key = c.key ?? `consumer:${c.stream}/${c.name}`;
      const t = withOverride(thresholds.consumer, thresholds.overrides[key]);
      next.set(key, this.entry(key, 'consumer', c.stream, c.name, consumerReasons(c, t), now));
    }
    const changes: HealthChange['changes'] = [];
    for (const [key, e] of next) {
      const prev = this.entries.get(key);
      if (!prev || prev.status !== e.status)
        changes.push({ key, from: prev?.status ?? null, to: e.status, entry: e });
    }
    for (const [key, prev] of this.entries)
      if (!next.has(key)) changes.push({ key, from: prev.status, to: null });
    this.entries = next;
    this.at = now;
    return changes.length ? { at: now, changes, overall: this.overall() } : undefined;
  }

  map(): HealthMap {
    return { at: this.at, overall: this.overall(), entries: Object.fromEntries(this.entries) };
  }

  reset(): void {
    this.entries.clear();
  }

  private overall(): HealthStatus {
    let s: HealthStatus = 'OK';
    for (const e of this.entries.values()) s = worst(s, e.status);
    return s;
  }

  private entry(
    key: string,
    kind: HealthEntry['kind'],
    stream: string,
    consumer: string | undefined,
    found: HealthReason[] | undefined,
    now: number,
  ): HealthEntry {
    const prev = this.entries.get(key);
    // Most objects stay OK with nothing to report: keep the entry rather than build a new one.
    if (!found && prev?.status === 'OK' && prev.reasons.length === 0) return prev;
    const reasons = found ?? [];
    const status = reasons.reduce<HealthStatus>((s, r) => worst(s, r.status), 'OK');
    return {
      key,
      kind,
      stream,
      consumer,
      status,
      reasons,
      since: prev && prev.status === status ? prev.since : now,
    };
  }
}

/** The defaults, or a copy with the object's own override on top (most objects have none). */
function withOverride<T extends object>(defaults: T, override: unknown): T {
  return override ? { ...defaults, ...(override as Partial<T>) } : defaults;
}

/** The alerts a set of changes raises under the notification setting. */
export function alertsFor(change: HealthChange, level: NotificationLevel): MonitorAlert[] {
  if (level === 'off') return [];
  const out: MonitorAlert[] = [];
  for (const c of change.changes) {
    if (!c.entry || (c.to !== 'CRIT' && !(c.to === 'WARN' && level === 'warn+'))) continue;
    if (c.from && RANK[c.from] >= RANK[c.to]) continue; // only escalations
    const what =
      c.entry.kind === 'consumer'
        ? `Consumer ${c.entry.stream} › ${c.entry.consumer}`
        : `Stream ${c.entry.stream}`;
    out.push({
      severity: c.to === 'CRIT' ? 'crit' : 'warn',
      title: `${what} is ${c.to}`,
      body: c.entry.reasons
        .filter((r) => r.status !== 'OK')
        .map((r) => r.message)
        .join('; '),
      key: c.key,
      at: change.at,
    });
  }
  return out;
}

function check(
  name: string,
  label: string,
  value: number,
  level: ThresholdLevel,
  fmt = (v: number) => String(v),
): HealthReason | undefined {
  if (level.crit !== null && value > level.crit) {
    return {
      check: name,
      status: 'CRIT',
      message: `${label} ${fmt(value)} > ${fmt(level.crit)}`,
      value,
      threshold: level.crit,
    };
  }
  if (level.warn !== null && value > level.warn) {
    return {
      check: name,
      status: 'WARN',
      message: `${label} ${fmt(value)} > ${fmt(level.warn)}`,
      value,
      threshold: level.warn,
    };
  }
  return undefined;
}

/** Appends a reason that fired; the list is created with the first (most objects have none). */
function add(list: HealthReason[] | undefined, r: HealthReason | undefined): HealthReason[] | undefined {
  if (!r) return list;
  (list ??= []).push(r);
  return list;
}

function consumerReasons(c: ConsumerObservation, t: ConsumerThresholds): HealthReason[] | undefined {
  let r = add(undefined, check('maxPending', 'pending', c.pending, t.maxPending));
  r = add(r, check('maxAckPending', 'ack pending', c.ackPending, t.maxAckPending));
  r = add(r, check('maxRedelivered', 'redelivered', c.redelivered, t.maxRedelivered));
  if (c.lastAckAgeSec !== undefined) {
    const age = Math.round(c.lastAckAgeSec);
    r = add(
      r,
      check('lastAckAgeSec', 'no ack for', age, t.lastAckAgeSec, (v) => `${v}s`),
    );
  }
  return r;
}

function streamReasons(s: StreamObservation, t: StreamThresholds): HealthReason[] | undefined {
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  let r: HealthReason[] | undefined;
  if (s.maxMsgs > 0) r = add(r, check('msgsRatio', 'messages at', s.messages / s.maxMsgs, t.msgsRatio, pct));
  if (s.maxBytes > 0) r = add(r, check('bytesRatio', 'bytes at', s.bytes / s.maxBytes, t.bytesRatio, pct));
  for (const rep of s.replicas) {
    if (rep.offline) {
      r = add(r, {
        check: 'replicaOffline',
        status: 'CRIT',
        message: `replica ${rep.name} is offline`,
        value: 1,
        threshold: 0,
      });
    } else {
      r = add(r, check('replicaLag', `replica ${rep.name} lags`, rep.lag, t.replicaLag));
    }
  }
  return r;
}
