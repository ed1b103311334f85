import { z } from 'zod';
import { event, method } from '../define';
import { jsonPathProblem } from '../json-path';
import type { BrowsedMessage } from './messages';
import { SEQS_IN_ORDER, seqsInOrder, streamRangeShape } from './messages';

/*
 * Search message payloads and headers over a range of a stream. A search is a job: it reads the
 * range in order without disturbing the stream (the browser's readers), reports progress as
 * batched events, stops at a cap on results and on messages read, and ends on cancel, when the
 * client that started it goes away, when the connection drops, or when the core stops.
 */

/** What a message must hold to match. Text and values compare case-insensitively unless asked. */
export const searchMatchSchema = z.discriminatedUnion('kind', [
  /** The payload, read as UTF-8, contains `text`. */
  z.strictObject({
    kind: z.literal('text'),
    text: z.string().min(1, 'text is required').max(1000),
    caseSensitive: z.boolean().default(false),
  }),
  /**
   * A value inside a JSON payload. `equals`: a string equals `value` (or `value` as a JSON
   * string), anything else equals `value` parsed as JSON (`42`, `true`, `{"a":1}`). `contains`:
   * a string contains `value`, anything else contains it in its JSON text. With `[*]` any of
   * the values reached may match. Payloads that are not JSON never match.
   */
  z.strictObject({
    kind: z.literal('json'),
    path: z
      .string()
      .min(1, 'path is required')
      .superRefine((p, ctx) => {
        const problem = jsonPathProblem(p);
        if (problem) ctx.addIssue({ code: 'custom', message: `not a JSON path: ${problem}` });
      }),
    op: z.enum(['equals', 'contains']).default('equals'),
    value: z.string().max(1000),
    caseSensitive: z.boolean().default(false),
  }),
  /** A header (name case-insensitive): present, or one of its values equals/contains `value`. */
  z
    .strictObject({
      kind: z.literal('header'),
      name: z
        .string()
        .min(1, 'header name is required')
        .max(256)
        .regex(/^[!-9;-~]+$/, 'a header name is printable characters without ":" or spaces'),
      op: z.enum(['exists', 'equals', 'contains']).default('equals'),
      value: z.string().max(1000).optional(),
      caseSensitive: z.boolean().default(false),
    })
    .refine((h) => h.op === 'exists' || (h.value !== undefined && h.value !== ''), {
      message: 'value is required (or look for the header only: op "exists")',
      path: ['value'],
    }),
]);
export type SearchMatch = z.input<typeof searchMatchSchema>;

/** Criteria one search may combine (all must hold). */
export const MAX_SEARCH_CRITERIA = 8;

export const MAX_SEARCH_RESULTS = 1000;
export const MAX_SEARCH_SCAN = 100_000_000;
/** Searches one client may run at once. */
export const MAX_SEARCHES_PER_CLIENT = 4;

export const searchInputSchema = z
  .strictObject({
    /**
     * Range, inclusive; defaults to the whole stream as it is when the search starts. The subject
     * filter (wildcards allowed) is applied by the server before anything is read.
     */
    ...streamRangeShape,
    /** One criterion… */
    match: searchMatchSchema.optional(),
    /** …or several, all of which must hold (AND); give one of `match` and `matches`. */
    matches: z
      .array(searchMatchSchema)
      .min(1, 'matches needs at least one criterion')
      .max(MAX_SEARCH_CRITERIA, `at most ${MAX_SEARCH_CRITERIA} criteria`)
      .optional(),
    /** Stop after this many matches (the cap on what is kept and sent). */
    maxResults: z
      .number()
      .int()
      .min(1)
      .max(MAX_SEARCH_RESULTS, `at most ${MAX_SEARCH_RESULTS} results`)
      .default(100),
    /** Stop after reading this many messages. */
    maxScanned: z
      .number()
      .int()
      .min(1)
      .max(MAX_SEARCH_SCAN, `at most ${MAX_SEARCH_SCAN.toLocaleString('en')} messages`)
      .default(1_000_000),
    /**
     * Payload bytes kept and sent per hit (the message view fetches the rest): with the result
     * cap, what one search holds stays within a few MB.
     */
    previewBytes: z.number().int().min(0).max(4096).default(1024),
  })
  .refine(seqsInOrder, SEQS_IN_ORDER)
  .refine((r) => (r.match === undefined) !== (r.matches === undefined), {
    message: 'give one criterion as match, or several (all must hold) as matches',
    path: ['match'],
  });
/** The criteria of a search, one or several. */
export const searchCriteria = (r: z.output<typeof searchInputSchema>) =>
  r.matches ?? (r.match ? [r.match] : []);
export type SearchInput = z.input<typeof searchInputSchema>;

export interface SearchHit {
  message: BrowsedMessage;
  /** What matched, shortened: the text around it, the value at the path, or the header. */
  excerpt: string;
}

export type SearchState = 'running' | 'done' | 'cancelled' | 'failed';
/** Why a search ended: it read the whole range, or hit a cap, or was stopped. */
export type SearchEnd = 'range_end' | 'max_results' | 'max_scanned' | 'cancelled' | 'error';

export interface SearchProgress {
  searchId: string;
  stream: string;
  state: SearchState;
  done: boolean;
  end?: SearchEnd;
  /** The range being read, fixed when the search started. */
  fromSeq: number;
  toSeq: number;
  /** Highest sequence read so far (fromSeq - 1 before the first). */
  position: number;
  /** Messages read and tested. */
  scanned: number;
  matched: number;
  /** Payloads a JSON criterion tried and could not parse (they never match; criteria run cheapest first, so one that failed a header or text test first is not counted). */
  notJson: number;
  /** Messages read per second over the last interval (the average once done). */
  rate: number;
  startedAt: number;
  durationMs: number;
  maxResults: number;
  maxScanned: number;
  /** How the range is read (the browser's "read without disturbing" note). */
  method: 'ordered_consumer' | 'msg_get' | 'direct_get';
  error?: string;
}

/** A progress event carries the hits found since the previous one (each hit is sent once). */
export interface SearchProgressEvent extends SearchProgress {
  hits: SearchHit[];
}

const searchIdSchema = z.strictObject({ searchId: z.string().min(1).max(64) });

export const searchMethods = {
  /** Starts a search job; progress and hits follow as 'search.progress' events. */
  'search.start': method(searchInputSchema).returns<SearchProgress>(),
  'search.cancel': method(searchIdSchema).returns<SearchProgress>(),
  /** Progress and every hit so far (for a client that joined late or reconnected). */
  'search.status': method(searchIdSchema).returns<SearchProgress & { hits: SearchHit[] }>(),
  'search.list': method(z.strictObject({}).optional()).returns<{ searches: SearchProgress[] }>(),
};

export const searchEvents = {
  /** At most every 250 ms per search while it runs, plus a final one with done: true. */
  'search.progress': event<SearchProgressEvent>(),
};
