import type { StreamInfo } from '@nats-io/jetstream';
import type { KvBucketSummary, KvEntryView, KvOperation } from '../../api/features/kv';
import { guessContentType } from '../messages/format';
import { clusterView, isoOrUndefined } from '../streams/views';

export const KV_STREAM_PREFIX = 'KV_';
export const kvStreamName = (bucket: string) => `${KV_STREAM_PREFIX}${bucket}`;

/** A bucket as the UI lists it, from the info of its stream. */
export function bucketSummary(si: StreamInfo): KvBucketSummary {
  const c = si.config;
  return {
    bucket: c.name.slice(KV_STREAM_PREFIX.length),
    description: c.description || undefined,
    keys: si.state.num_subjects ?? 0,
    values: si.state.messages,
    bytes: si.state.bytes,
    history: c.max_msgs_per_subject,
    ttlMs: Math.round((c.max_age ?? 0) / 1e6),
    replicas: c.num_replicas,
    storage: c.storage === 'memory' ? 'memory' : 'file',
    maxValueSize: c.max_msg_size ?? -1,
    maxBytes: c.max_bytes ?? -1,
    lastRevision: si.state.last_seq,
    lastTime: si.state.messages ? isoOrUndefined(si.state.last_ts) : undefined,
    created: si.created,
    cluster: clusterView(si.cluster),
  };
}

/** What a KV entry looks like on the wire, whoever read it (kv.get, history, a watch, a key listing). */
export interface RawEntry {
  key: string;
  revision: number;
  created: Date;
  operation: KvOperation;
  /** Size of the whole value. */
  length: number;
  /** The bytes read (absent for header-only reads). */
  value?: Uint8Array;
}

/** The view of an entry, with at most `previewBytes` of its value. */
export function entryView(e: RawEntry, previewBytes = Number.MAX_SAFE_INTEGER): KvEntryView {
  const view: KvEntryView = {
    key: e.key,
    revision: e.revision,
    created: e.created.toISOString(),
    operation: e.operation,
    length: e.length,
  };
  if (!e.value || e.operation !== 'PUT') return view;
  const truncated = e.value.length > previewBytes;
  const bytes = truncated ? e.value.subarray(0, previewBytes) : e.value;
  view.base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  view.contentType = guessContentType(bytes, truncated);
  if (truncated) view.truncated = true;
  return view;
}
