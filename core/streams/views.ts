import type { ClusterInfo, ConsumerInfo, StreamInfo, StreamSourceInfo } from '@nats-io/jetstream';
import type {
  ClusterView,
  ConsumerConfigJson,
  ConsumerSummary,
  SourceView,
  StreamConfigJson,
  StreamSummary,
} from '../../api/features/streams';

/** Plain-data views of the server's stream and consumer info, for the UI. */

const NS_PER_MS = 1_000_000;
const ZERO_TIME = '0001-01-01T00:00:00Z';

export function isoOrUndefined(t: string | undefined): string | undefined {
  if (!t || t === ZERO_TIME) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) || ms <= 0 ? undefined : new Date(ms).toISOString();
}

export function clusterView(c: ClusterInfo | undefined): ClusterView | undefined {
  if (!c) return undefined;
  const replicas = (c.replicas ?? []).map((r) => ({
    name: r.name,
    current: r.current,
    offline: r.offline ?? false,
    activeMs: Math.round((r.active ?? 0) / NS_PER_MS),
    lag: r.lag ?? 0,
  }));
  return {
    name: c.name,
    leader: c.leader,
    replicas,
    healthy: !!c.leader && replicas.every((r) => r.current && !r.offline),
  };
}

export function sourceView(s: StreamSourceInfo, filterSubject?: string): SourceView {
  return {
    name: s.name,
    lag: s.lag ?? 0,
    activeMs: Math.round((s.active ?? 0) / NS_PER_MS),
    filterSubject,
    error: s.error?.description,
  };
}

export function streamSummary(si: StreamInfo, rate: number[] = []): StreamSummary {
  const c = si.config;
  const st = si.state;
  return {
    name: c.name,
    description: c.description || undefined,
    subjects: c.subjects ?? [],
    storage: c.storage as StreamSummary['storage'],
    retention: c.retention as StreamSummary['retention'],
    replicas: c.num_replicas || 1,
    cluster: clusterView(si.cluster),
    messages: st.messages,
    bytes: st.bytes,
    firstSeq: st.first_seq,
    firstTime: st.messages > 0 ? isoOrUndefined(st.first_ts) : undefined,
    lastSeq: st.last_seq,
    lastTime: st.last_seq > 0 ? isoOrUndefined(st.last_ts) : undefined,
    consumers: st.consumer_count,
    deleted: st.num_deleted ?? 0,
    created: si.created,
    isMirror: !!c.mirror,
    sourceCount: c.sources?.length ?? 0,
    rate,
  };
}

export function streamConfigJson(si: StreamInfo): StreamConfigJson {
  return si.config as unknown as StreamConfigJson;
}

function seqView(s: { consumer_seq: number; stream_seq: number; last_active?: string | number }) {
  const la = typeof s.last_active === 'string' ? isoOrUndefined(s.last_active) : undefined;
  return { consumerSeq: s.consumer_seq, streamSeq: s.stream_seq, lastActive: la };
}

export function consumerSummary(ci: ConsumerInfo): ConsumerSummary {
  const c = ci.config;
  const delivered = seqView(ci.delivered as never);
  const ackFloor = seqView(ci.ack_floor as never);
  const lastActive = [delivered.lastActive, ackFloor.lastActive].filter(Boolean).sort().pop();
  const filters = c.filter_subjects?.length ? c.filter_subjects : c.filter_subject ? [c.filter_subject] : [];
  return {
    stream: ci.stream_name,
    name: ci.name,
    durable: !!c.durable_name,
    description: c.description || undefined,
    created: ci.created,
    kind: c.deliver_subject ? 'push' : 'pull',
    ackPolicy: String(c.ack_policy),
    deliverPolicy: String(c.deliver_policy),
    filterSubjects: filters,
    numPending: ci.num_pending,
    numAckPending: ci.num_ack_pending,
    numRedelivered: ci.num_redelivered,
    numWaiting: ci.num_waiting,
    lag: ci.num_pending,
    delivered,
    ackFloor,
    lastActive,
    paused: !!ci.paused,
    pauseRemainingMs: ci.pause_remaining ? Math.round(ci.pause_remaining / NS_PER_MS) : undefined,
    pushBound: !!ci.push_bound,
    cluster: clusterView(ci.cluster),
    config: c as unknown as ConsumerConfigJson,
  };
}
