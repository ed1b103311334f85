import type { StreamInfo } from '@nats-io/jetstream';
import type { KvBucketSummary, KvEntryView, KvOperation } from '../../api/features/kv';
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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text of the bytes, or undefined for binary; a cut at `truncated` may split the last character. */
function asText(b: Uint8Array, truncated: boolean): string | undefined {
  for (let cut = 0; cut <= (truncated ? 3 : 0) && cut < b.length + 1; cut++) {
    try {
      const s = utf8.decode(cut ? b.subarray(0, b.length - cut) : b);
      // Control characters other than whitespace mean binary, even when they decode.
      return /[\u0000-\u0008\u000e-\u001f]/.test(s) ? undefined : s;
    } catch {
      // try a shorter cut
    }
  }
  return undefined;
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
  view.base64 = Buffer.from(bytes).toString('base64');
  const text = asText(bytes, truncated);
  if (text !== undefined) {
    view.text = text;
    if (!truncated && text.trim()) {
      try {
        JSON.parse(text);
        view.json = true;
      } catch {
        view.json = false;
      }
    } else view.json = false;
  }
  if (truncated) view.truncated = true;
  return view;
}
