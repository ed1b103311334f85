import { z } from 'zod';
import { event, method } from '../define';
import { hostFileNameSchema } from './files';
import { jsNameSchema, subjectSchema } from './streams';

/*
 * Message browser, live tail, replay, export and import. Reading never disturbs a stream:
 * Limits streams are read with short-lived ordered (ack none) consumers, WorkQueue and
 * Interest streams with message get (direct get when the stream allows it).
 */

export type ContentType = 'json' | 'text' | 'binary';

/** A message's payload as sent to the UI: a stream's stored message or a core NATS delivery. */
export interface MessageBody {
  /** Payload size in bytes (full size even when `data` is truncated). */
  size: number;
  headers?: Record<string, string[]>;
  /** Payload, base64 (first `previewBytes` only when `truncated`). */
  data: string;
  truncated: boolean;
  /** Guess from the payload: the UI picks the default view from it. */
  contentType: ContentType;
}

export interface BrowsedMessage extends MessageBody {
  seq: number;
  subject: string;
  /** ISO time the server stored it (ms precision). */
  time: string;
}

/** How a page was read, for the UI's "read without disturbing" note. */
export type ReadMethod = 'ordered_consumer' | 'msg_get' | 'direct_get';

export interface MessagePage {
  stream: string;
  messages: BrowsedMessage[];
  /** Sequence of the first / last message on this page (absent when empty). */
  first?: number;
  last?: number;
  hasPrev: boolean;
  hasNext: boolean;
  /** Pass as `start: { kind: 'cursor', cursor }` to page. */
  prevCursor?: string;
  nextCursor?: string;
  /** Messages matching the filter in the stream; absent when too costly to count. */
  total?: number;
  streamFirstSeq: number;
  streamLastSeq: number;
  method: ReadMethod;
}

/** Payload bytes sent per message in a page or a tail batch (the rest via messages.get). */
const previewBytesSchema = z
  .number()
  .int()
  .min(0)
  .max(1024 * 1024)
  .default(4096);

/** Time as ISO text or ms since epoch. */
export const timeInputSchema = z.union([
  z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO date-time' }),
  z.number().int().nonnegative(),
]);

/** A range of one stream by sequence and/or time, plus a subject filter (replay and search). */
export const streamRangeShape = {
  stream: jsNameSchema,
  fromSeq: z.number().int().positive().optional(),
  toSeq: z.number().int().positive().optional(),
  fromTime: timeInputSchema.optional(),
  toTime: timeInputSchema.optional(),
  subject: subjectSchema.optional(),
};

/** The range check of a `streamRangeShape` object: `.refine(seqsInOrder, SEQS_IN_ORDER)`. */
export const seqsInOrder = (r: { fromSeq?: number; toSeq?: number }): boolean =>
  r.fromSeq === undefined || r.toSeq === undefined || r.fromSeq <= r.toSeq;
export const SEQS_IN_ORDER = { message: 'fromSeq must be ≤ toSeq', path: ['toSeq'] };

/** "a<seq>" = after seq (forward), "b<seq>" = before seq (backward). */
export const cursorSchema = z
  .string()
  .regex(/^[ab]\d+$/, 'cursor must come from a previous page (a<seq> or b<seq>)');

export const pageStartSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('first') }),
  z.strictObject({ kind: z.literal('last') }),
  z.strictObject({ kind: z.literal('seq'), seq: z.number().int().nonnegative() }),
  z.strictObject({ kind: z.literal('time'), time: timeInputSchema }),
  z.strictObject({ kind: z.literal('cursor'), cursor: cursorSchema }),
]);
export type PageStart = z.input<typeof pageStartSchema>;

export const MAX_PAGE_SIZE = 500;

export const pageInputSchema = z.strictObject({
  stream: jsNameSchema,
  start: pageStartSchema.default({ kind: 'first' }),
  /** Wildcards allowed. */
  subject: subjectSchema.optional(),
  pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE, `page size is at most ${MAX_PAGE_SIZE}`).default(100),
  previewBytes: previewBytesSchema,
  /** Count matching messages (free without a filter; one stream-info request with one). */
  withTotal: z.boolean().default(true),
});
export type PageInput = z.input<typeof pageInputSchema>;

const seqRef = z.strictObject({ stream: jsNameSchema, seq: z.number().int().positive() });

// ---------- live tail ----------

export interface TailMessage extends Omit<BrowsedMessage, 'seq'> {
  /** Absent for tails that follow a core subscription (WorkQueue/Interest streams). */
  seq?: number;
}
export interface TailBatch {
  tailId: string;
  messages: TailMessage[];
  /** Messages dropped since the previous batch because the buffer was full. */
  dropped: number;
}
export type TailState = 'running' | 'paused' | 'stopped' | 'error';
export interface TailInfo {
  tailId: string;
  stream: string;
  subject?: string;
  state: TailState;
  mode: 'ordered_consumer' | 'core_subscription';
  bufferSize: number;
  error?: string;
}

// ---------- replay / import jobs ----------

/**
 * Which messages: explicit sequences, or a range (by sequence and/or time) plus subject filter.
 * Both branches are strict, so a malformed `seqs` (empty, strings, zero, fractions, a string)
 * can never fall through to the range branch and widen the selection to the whole stream.
 */
export const replaySourceSchema = z.union([
  z.strictObject({
    stream: jsNameSchema,
    seqs: z.array(z.number().int().positive()).min(1, 'select at least one message').max(1_000_000),
  }),
  z.strictObject(streamRangeShape).refine(seqsInOrder, SEQS_IN_ORDER),
]);
export type ReplaySource = z.input<typeof replaySourceSchema>;

/**
 * Where to publish. `subject` may use wildcards that map tokens from `from` (default: the
 * source's subject filter, else ">"): from "tasks.>" to "replayed.>" sends tasks.new to
 * replayed.new; "*" maps the n-th "*"; a target without wildcards is used as is.
 */
export const replayTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('original') }),
  z.strictObject({ kind: z.literal('subject'), subject: subjectSchema, from: subjectSchema.optional() }),
]);

export const rateSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('max') }),
  z.strictObject({ mode: z.literal('perSecond'), perSecond: z.number().positive().max(10_000_000) }),
  /** Original spacing between messages, each wait capped at `maxWaitMs`, sped up by `speed`. */
  z.strictObject({
    mode: z.literal('original'),
    maxWaitMs: z.number().int().min(0).max(3_600_000).default(1000),
    speed: z.number().positive().max(1000).default(1),
  }),
]);
export type RateInput = z.input<typeof rateSchema>;

/**
 * What a replay does to each message, named in the dialog:
 * - `rerun` ("re-run as new tasks"): task payloads get a new id, created_at and
 *   metadata.retry_of, every message a fresh Nats-Msg-Id, plus JetDeck-Replay-Of.
 * - `faithful` ("faithful copy"): payload bytes and headers as stored; only the original
 *   Nats-Msg-Id moves to JetDeck-Replay-Msg-Id so deduplication does not drop the copy (and
 *   headers that assert the stream's old state, Nats-Expected-*, and Nats-Rollup are left out).
 */
export const REPLAY_MODES = ['rerun', 'faithful'] as const;
export type ReplayMode = (typeof REPLAY_MODES)[number];

export const replayInputSchema = z.strictObject({
  source: replaySourceSchema,
  target: replayTargetSchema.default({ kind: 'original' }),
  rate: rateSchema.default({ mode: 'max' }),
  mode: z.enum(REPLAY_MODES).default('rerun'),
});
export type ReplayInput = z.input<typeof replayInputSchema>;

export interface DryRunResult {
  count: number;
  first?: { seq: number; subject: string; time: string };
  last?: { seq: number; subject: string; time: string };
  /** Where the first message would go (after mapping). */
  sampleTarget?: string;
  /** Sequences asked for that do not exist (explicit selection only; first 100). */
  missing: number[];
}

export type JobKind = 'replay' | 'import';
export type JobState = 'running' | 'done' | 'cancelled' | 'failed';
export interface JobProgress {
  jobId: string;
  kind: JobKind;
  state: JobState;
  sent: number;
  failed: number;
  /** Messages not sent on purpose (subject outside the mapping). */
  skipped: number;
  /** PubAcks that said duplicate (deduplication dropped them). */
  duplicates: number;
  total: number;
  /** Messages per second over the last interval. */
  rate: number;
  done: boolean;
  startedAt: number;
  durationMs: number;
  /** First few failures in the server's words. */
  errors: { seq?: number; line?: number; message: string }[];
  error?: string;
}

export const exportSelectionSchema = replaySourceSchema;

export const importInputSchema = z
  .strictObject({
    /** JSON Lines text, or `file`: a name from `files.list({ folder: 'imports' })`. */
    content: z.string().optional(),
    file: hostFileNameSchema.optional(),
    target: replayTargetSchema.default({ kind: 'original' }),
    rate: rateSchema.default({ mode: 'max' }),
    /** Give messages that carry a Nats-Msg-Id a fresh one (re-import inside the dedup window). */
    renewMsgIds: z.boolean().default(false),
  })
  .refine((v) => (v.content === undefined) !== (v.file === undefined), {
    message: 'give exactly one of content or file',
  });
export type ImportInput = z.input<typeof importInputSchema>;

export const MAX_EXPORT_CONTENT_BYTES = 50 * 1024 * 1024;

// ---------- methods ----------

export const messagesMethods = {
  'messages.page': method(pageInputSchema).returns<MessagePage>(),
  /** One message with its full payload (up to the server's max_payload). */
  'messages.get': method(seqRef).returns<BrowsedMessage>(),
  'messages.delete': method(seqRef.extend({ erase: z.boolean().default(false) })).returns<{
    deleted: boolean;
  }>(),

  'messages.tail.start': method(
    z.strictObject({
      stream: jsNameSchema,
      subject: subjectSchema.optional(),
      /** Most messages held between flushes or while paused; older ones are dropped and counted. */
      bufferSize: z.number().int().min(1).max(10_000).default(1000),
      previewBytes: previewBytesSchema,
    }),
  ).returns<TailInfo>(),
  'messages.tail.pause': method(z.strictObject({ tailId: z.string() })).returns<TailInfo>(),
  'messages.tail.resume': method(z.strictObject({ tailId: z.string() })).returns<TailInfo>(),
  'messages.tail.stop': method(z.strictObject({ tailId: z.string() })).returns<{ stopped: boolean }>(),
  'messages.tail.list': method(z.strictObject({}).optional()).returns<{ tails: TailInfo[] }>(),

  'replay.dryRun': method(replayInputSchema).returns<DryRunResult>(),
  'replay.start': method(replayInputSchema).returns<JobProgress>(),
  'replay.cancel': method(z.strictObject({ jobId: z.string() })).returns<JobProgress>(),
  'replay.status': method(z.strictObject({ jobId: z.string() })).returns<JobProgress>(),
  'replay.list': method(z.strictObject({}).optional()).returns<{ jobs: JobProgress[] }>(),

  /** JSON Lines of a selection or range, returned as text (≤ 50 MB; larger: exportToFile). */
  'messages.export': method(z.strictObject({ source: exportSelectionSchema })).returns<{
    content: string;
    count: number;
    bytes: number;
  }>(),
  /**
   * Writes JSON Lines to `file` on the machine running the core: a name inside its exports
   * folder (created or overwritten), or a file picked in the desktop app's save dialog.
   */
  'messages.exportToFile': method(
    z.strictObject({ source: exportSelectionSchema, file: hostFileNameSchema }),
  ).returns<{
    file: string;
    /** Where it was written on that machine. */
    path: string;
    count: number;
    bytes: number;
  }>(),
  /** Validates every line first (errors carry line numbers), then publishes as a job. */
  'messages.import': method(importInputSchema).returns<JobProgress>(),
};

/** Bulk methods (jobs that read a range and publish or write it), served by the core's replay side. */
export type ReplayMethodName = Extract<
  keyof typeof messagesMethods,
  `replay.${string}` | 'messages.export' | 'messages.exportToFile' | 'messages.import'
>;

export const messagesEvents = {
  /** Live tail batches, at most one per tail every 100 ms. */
  'messages.tail': event<TailBatch>(),
  'messages.tail.state': event<TailInfo>(),
  /** Replay/import progress, batched (every ~250 ms) plus a final one with done: true. */
  'replay.progress': event<JobProgress>(),
};
