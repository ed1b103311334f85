import { seriesKey } from '../../api/features/monitor';
import type { ConsumerObservation, StreamObservation } from './health';
import type { RawConsumerInfo, RawStreamInfo } from '../../nats/metrics/inputs';

/** Window of the pending slope behind the time-to-drain estimate. */
const DRAIN_WINDOW_MS = 30_000;

const STREAM_METRICS = ['messages', 'bytes', 'consumers', 'msgs_rate', 'bytes_rate'] as const;
const CONSUMER_METRICS = [
  'pending',
  'ack_pending',
  'redelivered',
  'waiting',
  'delivered_rate',
  'ttd_sec',
] as const;
type Keys<M extends readonly string[]> = Record<M[number], string>;

interface StreamTrack {
  /** The sample that last saw this stream (tracks not seen are dropped). */
  stamp: number;
  /** Series keys and the health key, built once: building ~1,500 strings a second adds up. */
  keys: Keys<typeof STREAM_METRICS>;
  t: number;
  lastSeq: number;
  bytes: number;
  /** Reused every sample; the health checker reads it and keeps nothing. */
  obs: StreamObservation;
  consumers: Map<string, ConsumerTrack>;
}

interface ConsumerTrack {
  stamp: number;
  keys: Keys<typeof CONSUMER_METRICS>;
  backlog: { t: number; v: number }[];
  ackSeq: number;
  ackAt: number;
  delivered: number;
  /** ack_floor.last_active as text and parsed; parsed again only when the text changes. */
  lastActiveText?: string;
  lastActiveMs: number;
  obs: ConsumerObservation;
}

export interface JetStreamObservations {
  streams: StreamObservation[];
  consumers: ConsumerObservation[];
}

/**
 * Turns streams and consumers into series values (rates from deltas, a time-to-drain estimate
 * from the backlog slope) and health observations, keeping per-object state between samples.
 */
export class JetStreamSeries {
  private readonly streams = new Map<string, StreamTrack>();
  private stamp = 0;

  write(
    streams: RawStreamInfo[],
    consumers: RawConsumerInfo[],
    now: number,
    out: Record<string, number>,
  ): JetStreamObservations {
    const stamp = ++this.stamp;
    const sObs: StreamObservation[] = [];
    for (const s of streams) sObs.push(this.stream(s, stamp, now, out));
    const cObs: ConsumerObservation[] = [];
    let st: StreamTrack | undefined;
    for (const c of consumers) {
      if (st?.obs.name !== c.stream_name) st = this.streams.get(c.stream_name);
      // Ephemeral consumers (the message browser's page reads, ordered consumers) come and go
      // within seconds: charting or health-checking them would only raise noise.
      if (st && c.config.durable_name) cObs.push(consumer(st, c, stamp, now, out));
    }
    for (const [name, t] of this.streams) {
      if (t.stamp !== stamp) this.streams.delete(name);
      else for (const [id, c] of t.consumers) if (c.stamp !== stamp) t.consumers.delete(id);
    }
    return { streams: sObs, consumers: cObs };
  }

  private stream(
    s: RawStreamInfo,
    stamp: number,
    now: number,
    out: Record<string, number>,
  ): StreamObservation {
    const name = s.config.name;
    let tr = this.streams.get(name);
    if (!tr) {
      tr = {
        stamp,
        keys: keysFor('stream', name, STREAM_METRICS),
        t: 0,
        lastSeq: 0,
        bytes: 0,
        obs: { name, key: `stream:${name}`, messages: 0, bytes: 0, maxMsgs: -1, maxBytes: -1, replicas: [] },
        consumers: new Map(),
      };
      this.streams.set(name, tr);
    }
    const st = s.state;
    const k = tr.keys;
    out[k.messages] = st.messages;
    out[k.bytes] = st.bytes;
    out[k.consumers] = st.consumer_count;
    const dt = (now - tr.t) / 1000;
    if (tr.stamp === stamp - 1 && dt > 0 && st.last_seq >= tr.lastSeq) {
      out[k.msgs_rate] = (st.last_seq - tr.lastSeq) / dt;
      out[k.bytes_rate] = (st.bytes - tr.bytes) / dt;
    }
    tr.stamp = stamp;
    tr.t = now;
    tr.lastSeq = st.last_seq;
    tr.bytes = st.bytes;
    const o = tr.obs;
    o.messages = st.messages;
    o.bytes = st.bytes;
    o.maxMsgs = s.config.max_msgs ?? -1;
    o.maxBytes = s.config.max_bytes ?? -1;
    const replicas = s.cluster?.replicas;
    o.replicas = replicas?.length
      ? replicas.map((r) => ({ name: r.name, offline: r.offline === true, lag: r.lag ?? 0 }))
      : [];
    return o;
  }
}

function consumer(
  st: StreamTrack,
  c: RawConsumerInfo,
  stamp: number,
  now: number,
  out: Record<string, number>,
): ConsumerObservation {
  let tr = st.consumers.get(c.name);
  if (!tr) {
    const id = `${c.stream_name}/${c.name}`;
    tr = {
      stamp,
      keys: keysFor('consumer', id, CONSUMER_METRICS),
      backlog: [],
      ackSeq: c.ack_floor.stream_seq,
      ackAt: now,
      delivered: c.delivered.consumer_seq,
      lastActiveMs: NaN,
      obs: {
        stream: c.stream_name,
        name: c.name,
        key: `consumer:${id}`,
        pending: 0,
        ackPending: 0,
        redelivered: 0,
      },
    };
    st.consumers.set(c.name, tr);
  } else if (c.delivered.consumer_seq >= tr.delivered && tr.backlog.length) {
    const dt = (now - tr.backlog[tr.backlog.length - 1].t) / 1000;
    if (dt > 0) out[tr.keys.delivered_rate] = (c.delivered.consumer_seq - tr.delivered) / dt;
  }
  tr.stamp = stamp;
  tr.delivered = c.delivered.consumer_seq;
  if (c.ack_floor.stream_seq !== tr.ackSeq) {
    tr.ackSeq = c.ack_floor.stream_seq;
    tr.ackAt = now;
  }
  const lastActive = c.ack_floor.last_active;
  if (lastActive !== tr.lastActiveText) {
    tr.lastActiveText = lastActive;
    tr.lastActiveMs = Date.parse(lastActive ?? '');
  }
  const ackAt = Number.isFinite(tr.lastActiveMs) ? tr.lastActiveMs : tr.ackAt;
  const backlog = c.num_pending + c.num_ack_pending;
  tr.backlog.push({ t: now, v: backlog });
  while (tr.backlog.length > 2 && now - tr.backlog[0].t > DRAIN_WINDOW_MS) tr.backlog.shift();

  const k = tr.keys;
  out[k.pending] = c.num_pending;
  out[k.ack_pending] = c.num_ack_pending;
  out[k.redelivered] = c.num_redelivered;
  out[k.waiting] = c.num_waiting;
  const ttd = timeToDrain(tr.backlog);
  if (ttd !== undefined) out[k.ttd_sec] = ttd;
  const o = tr.obs;
  o.pending = c.num_pending;
  o.ackPending = c.num_ack_pending;
  o.redelivered = c.num_redelivered;
  o.lastAckAgeSec = backlog > 0 ? (now - ackAt) / 1000 : undefined;
  return o;
}

function keysFor<M extends readonly string[]>(kind: 'stream' | 'consumer', id: string, metrics: M): Keys<M> {
  const keys = {} as Record<string, string>;
  for (const m of metrics) keys[m] = seriesKey(kind, id, m);
  return keys as Keys<M>;
}

/**
 * Seconds until the backlog (pending + ack pending) reaches zero at the slope over the window;
 * 0 when empty, undefined when not draining (flat or growing) or too little data.
 */
export function timeToDrain(points: { t: number; v: number }[]): number | undefined {
  const last = points[points.length - 1];
  if (!last) return undefined;
  if (last.v === 0) return 0;
  const first = points[0];
  const dt = (last.t - first.t) / 1000;
  if (points.length < 3 || dt <= 0) return undefined;
  const slope = (last.v - first.v) / dt;
  return slope < 0 ? last.v / -slope : undefined;
}
