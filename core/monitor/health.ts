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
  stream: string;
  name: string;
  pending: number;
  ackPending: number;
  redelivered: number;
  /** Seconds since the consumer last acknowledged, only while work is waiting. */
  lastAckAgeSec?: number;
}
export interface StreamObservation {
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
      const key = `stream:${s.name}`;
      const t = {
        ...thresholds.stream,
        ...(thresholds.overrides[key] as Partial<StreamThresholds> | undefined),
      };
      next.set(key, this.entry(key, 'stream', s.name, undefined, streamReasons(s, t), now));
    }
    for (const c of consumers) {
      const key = `consumer:${c.stream}/${c.name}`;
      const t = {
        ...thresholds.consumer,
        ...(thresholds.overrides[key] as Partial<ConsumerThresholds> | undefined),
      };
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
    reasons: HealthReason[],
    now: number,
  ): HealthEntry {
    const status = reasons.reduce<HealthStatus>((s, r) => worst(s, r.status), 'OK');
    const prev = this.entries.get(key);
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

function consumerReasons(c: ConsumerObservation, t: ConsumerThresholds): HealthReason[] {
  const r = [
    check('maxPending', 'pending', c.pending, t.maxPending),
    check('maxAckPending', 'ack pending', c.ackPending, t.maxAckPending),
    check('maxRedelivered', 'redelivered', c.redelivered, t.maxRedelivered),
    c.lastAckAgeSec === undefined
      ? undefined
      : check('lastAckAgeSec', 'no ack for', Math.round(c.lastAckAgeSec), t.lastAckAgeSec, (v) => `${v}s`),
  ];
  return r.filter((x): x is HealthReason => !!x);
}

function streamReasons(s: StreamObservation, t: StreamThresholds): HealthReason[] {
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  const r: (HealthReason | undefined)[] = [];
  if (s.maxMsgs > 0) r.push(check('msgsRatio', 'messages at', s.messages / s.maxMsgs, t.msgsRatio, pct));
  if (s.maxBytes > 0) r.push(check('bytesRatio', 'bytes at', s.bytes / s.maxBytes, t.bytesRatio, pct));
  for (const rep of s.replicas) {
    if (rep.offline) {
      r.push({
        check: 'replicaOffline',
        status: 'CRIT',
        message: `replica ${rep.name} is offline`,
        value: 1,
        threshold: 0,
      });
    } else {
      r.push(check('replicaLag', `replica ${rep.name} lags`, rep.lag, t.replicaLag));
    }
  }
  return r.filter((x): x is HealthReason => !!x);
}
