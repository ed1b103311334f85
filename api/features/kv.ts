import { z } from 'zod';
import { event, method } from '../define';
import type { ContentType } from './messages';
import type { ClusterView } from './streams';

/*
 * KV buckets: list, create, browse keys, read and write values, history of a key, live watch,
 * delete/purge. A bucket is the stream KV_<bucket>; a key is a subject token path under
 * $KV.<bucket>. Values travel as base64 (any bytes), with the text and JSON readings the UI shows.
 */

// ---------- names ----------

/** Bucket names as nats.js and the server accept them. */
export const bucketNameSchema = z
  .string()
  .min(1, 'bucket name is required')
  .max(200)
  .regex(/^[-\w]+$/, 'a bucket name uses letters, digits, "_" and "-" only');

const KEY_CHARS = /^[-/=.\w]+$/;
/** A key: letters, digits and `- / _ = .`, dot-separated tokens with none empty. */
export const kvKeySchema = z
  .string()
  .min(1, 'key is required')
  .max(1024)
  .refine((k) => KEY_CHARS.test(k) && !k.startsWith('.') && !k.endsWith('.') && !k.includes('..'), {
    message: 'a key uses letters, digits and - / _ = . (no empty token between dots)',
  });

/** A key filter: a key whose tokens may be `*`, and whose last token may be `>`. */
export const kvFilterSchema = z.string().min(1).max(1024).refine(isValidKvFilter, {
  message:
    'a filter is a key where "*" may replace a token and ">" the last tokens (e.g. users.*.name, orders.>)',
});

export function isValidKvFilter(f: string): boolean {
  const tokens = f.split('.');
  return tokens.every((t, i) =>
    t === '>' ? i === tokens.length - 1 : t === '*' || (t.length > 0 && /^[-/=\w]+$/.test(t)),
  );
}

// ---------- buckets ----------

/** Most revisions a bucket keeps per key (the server's limit). */
export const MAX_KV_HISTORY = 64;

export interface KvBucketSummary {
  bucket: string;
  description?: string;
  /** Keys with a stored entry (deleted keys keep a marker until purged). */
  keys: number;
  /** Stored entries, every revision of every key included. */
  values: number;
  bytes: number;
  history: number;
  /** Milliseconds a value lives; 0 = forever. */
  ttlMs: number;
  replicas: number;
  storage: 'file' | 'memory';
  /** -1 = unlimited. */
  maxValueSize: number;
  /** -1 = unlimited. */
  maxBytes: number;
  /** Revision of the newest entry (the stream's last sequence). */
  lastRevision: number;
  lastTime?: string;
  created: string;
  cluster?: ClusterView;
}

export const kvCreateSchema = z.strictObject({
  bucket: bucketNameSchema,
  description: z.string().max(4096).optional(),
  history: z
    .number()
    .int()
    .min(1, `history is 1..${MAX_KV_HISTORY}`)
    .max(MAX_KV_HISTORY, `history is 1..${MAX_KV_HISTORY}`)
    .default(1),
  /** 0 = values never expire. */
  ttlMs: z.number().int().nonnegative().default(0),
  replicas: z.number().int().min(1, 'replicas is 1..5').max(5, 'replicas is 1..5').default(1),
  storage: z.enum(['file', 'memory']).default('file'),
  /** -1 = unlimited. */
  maxValueSize: z.number().int().min(-1).default(-1),
  /** -1 = unlimited. */
  maxBytes: z.number().int().min(-1).default(-1),
});
export type KvCreateInput = z.input<typeof kvCreateSchema>;

// ---------- entries ----------

export type KvOperation = 'PUT' | 'DEL' | 'PURGE';

export interface KvEntryView {
  key: string;
  revision: number;
  /** ISO time the entry was stored. */
  created: string;
  operation: KvOperation;
  /** Size of the whole value in bytes. */
  length: number;
  /** The value's bytes (or their first `previewBytes`), base64; absent when not read. */
  base64?: string;
  /** json / text / binary, guessed from the bytes sent (as for stream messages). */
  contentType?: ContentType;
  /** Only the first bytes were sent (see `previewBytes`); read the rest with kv.get. */
  truncated?: boolean;
}

export interface KvKeyList {
  bucket: string;
  filter: string;
  /** Newest entry of each key, sorted by key; deleted keys are included (operation DEL/PURGE). */
  keys: KvEntryView[];
  /** More keys matched than `limit`. */
  truncated: boolean;
}

export const KV_VALUE_FORMATS = ['json', 'text', 'hex', 'base64'] as const;
export type KvValueFormat = (typeof KV_VALUE_FORMATS)[number];

/** Largest value text accepted (hex doubles the bytes); the server's max_payload decides in the end. */
const MAX_VALUE_TEXT = 8 * 1024 * 1024;

/** Decodes a value typed in `format` to bytes, or says why it cannot. */
export function decodeKvValue(value: string, format: KvValueFormat): Uint8Array | string {
  switch (format) {
    case 'json':
      try {
        JSON.parse(value);
      } catch (err) {
        return `not valid JSON: ${(err as Error).message}`;
      }
      return new TextEncoder().encode(value);
    case 'text':
      return new TextEncoder().encode(value);
    case 'hex': {
      const hex = value.replace(/\s+/g, '');
      if (!/^[0-9a-fA-F]*$/.test(hex)) return 'hex may contain only 0-9, a-f and spaces';
      if (hex.length % 2) return 'hex needs two digits per byte';
      const out = new Uint8Array(hex.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
      return out;
    }
    case 'base64': {
      const b = value.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b) || b.length % 4) return 'not valid base64';
      const bin = atob(b);
      const out = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
      return out;
    }
  }
}

export const kvPutSchema = z
  .strictObject({
    bucket: bucketNameSchema,
    key: kvKeySchema,
    value: z.string().max(MAX_VALUE_TEXT),
    format: z.enum(KV_VALUE_FORMATS).default('text'),
    /**
     * Optimistic concurrency: write only if the key's latest revision is this one
     * (0 = only if the key does not exist or is deleted).
     */
    expectRevision: z.number().int().nonnegative().optional(),
  })
  .superRefine((v, ctx) => {
    const d = decodeKvValue(v.value, v.format);
    if (typeof d === 'string') ctx.addIssue({ code: 'custom', message: d, path: ['value'] });
  });
export type KvPutInput = z.input<typeof kvPutSchema>;

/** Value bytes sent per entry in a history or a watch batch (the rest via kv.get). */
const previewBytes = (byDefault: number) =>
  z
    .number()
    .int()
    .min(0)
    .max(1024 * 1024)
    .default(byDefault);

// ---------- live watch ----------

export interface KvWatchInfo {
  watchId: string;
  bucket: string;
  filter: string;
  /** Paused: changes are still received, the newest `bufferSize` held (the rest counted as dropped) until resumed. */
  state: 'running' | 'paused' | 'stopped' | 'error';
  bufferSize: number;
  /** Changes received since the watch started (sent, held or dropped). */
  received: number;
  error?: string;
}
export interface KvWatchBatch {
  watchId: string;
  entries: KvEntryView[];
  /** Changes dropped since the previous batch because the buffer was full. */
  dropped: number;
}

// ---------- methods ----------

const bucketRef = z.strictObject({ bucket: bucketNameSchema });
const keyRef = bucketRef.extend({ key: kvKeySchema });

export const kvMethods = {
  /** Every bucket of the account (streams named KV_*), optionally searched by name. */
  'kv.list': method(z.strictObject({ search: z.string().max(256).optional() }).optional()).returns<{
    buckets: KvBucketSummary[];
  }>(),
  'kv.info': method(bucketRef).returns<KvBucketSummary>(),
  /** Creates a bucket; a bucket of that name already there is a conflict (never reconfigured). */
  'kv.create': method(kvCreateSchema).returns<KvBucketSummary>(),
  'kv.delete': method(
    bucketRef.extend({ confirmName: z.string() }).refine((v) => v.bucket === v.confirmName, {
      message: 'confirmName must equal the bucket name exactly',
      path: ['confirmName'],
    }),
  ).returns<{ deleted: boolean }>(),
  /** The newest entry of each key matching `filter` (headers only: no values), up to `limit`. */
  'kv.keys': method(
    bucketRef.extend({
      filter: kvFilterSchema.default('>'),
      /** Case-insensitive substring of the key, applied after the filter. */
      search: z.string().max(256).optional(),
      limit: z.number().int().min(1).max(10_000).default(1000),
    }),
  ).returns<KvKeyList>(),
  /** One entry with its whole value: the latest, or a given revision. */
  'kv.get': method(
    keyRef.extend({ revision: z.number().int().positive().optional() }),
  ).returns<KvEntryView>(),
  'kv.put': method(kvPutSchema).returns<{ revision: number }>(),
  /** Every stored revision of a key, newest first (at most the bucket's history, deletes included). */
  'kv.history': method(keyRef.extend({ previewBytes: previewBytes(4096) })).returns<{
    entries: KvEntryView[];
  }>(),
  /** Soft delete: a DEL marker becomes the latest revision; history is kept. */
  'kv.deleteKey': method(keyRef).returns<{ deleted: boolean }>(),
  /** Removes every revision of the key, leaving one PURGE marker. */
  'kv.purgeKey': method(keyRef).returns<{ purged: boolean }>(),
  /**
   * Follows changes of a bucket (new revisions only) and sends them as 'kv.watch' batches every
   * 100 ms with a bounded buffer. Owned by the calling client (a window or a WebSocket): it ends
   * with it, with the connection, or with kv.watch.stop.
   */
  'kv.watch.start': method(
    bucketRef.extend({
      filter: kvFilterSchema.default('>'),
      bufferSize: z.number().int().min(1).max(10_000).default(500),
      previewBytes: previewBytes(1024),
    }),
  ).returns<KvWatchInfo>(),
  'kv.watch.stop': method(z.strictObject({ watchId: z.string() })).returns<{ stopped: boolean }>(),
  /** Holds the batches (like core.pause): the newest `bufferSize` changes wait, older ones are counted as dropped. */
  'kv.watch.pause': method(z.strictObject({ watchId: z.string() })).returns<KvWatchInfo>(),
  /** Sends what was held at once and follows again. */
  'kv.watch.resume': method(z.strictObject({ watchId: z.string() })).returns<KvWatchInfo>(),
};

export const kvEvents = {
  /** Live changes, at most one batch per watch every 100 ms. */
  'kv.watch': event<KvWatchBatch>(),
  'kv.watch.state': event<KvWatchInfo>(),
  /** A bucket was created or deleted through JetDeck. */
  'kv.changed': event<{ bucket: string; change: 'created' | 'deleted' }>(),
};
