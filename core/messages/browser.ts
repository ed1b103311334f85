import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { MessagePage, pageInputSchema } from '../../api/features/messages';
import type { z } from 'zod';
import type { RawMsg } from './format';
import { toBrowsed } from './format';
import { readerFor, type StreamReader } from './readers';

type PageInput = z.output<typeof pageInputSchema>;

/** Per-subject counting is skipped above this many subjects (too costly for a page). */
const MAX_SUBJECTS_FOR_TOTAL = 100_000;

/**
 * Sequence paging over any stream. Forward pages read pageSize+1 messages (the extra one says
 * whether there is a next page); backward pages scan growing windows before the cursor, so a
 * filter that matches rarely still finds the previous page without reading the whole stream.
 */
export async function readPage(
  nc: NatsConnection,
  jsm: JetStreamManager,
  input: PageInput,
): Promise<MessagePage> {
  const filter = input.subject && input.subject !== '>' ? input.subject : undefined;
  const si = await jsm.streams.info(input.stream);
  const totalP =
    filter && input.withTotal ? countMatching(jsm, si, filter) : Promise.resolve(si.state.messages);
  totalP.catch(() => {}); // awaited below; avoid an unhandled rejection while the page reads
  const reader = readerFor(nc, jsm, si);
  const st = si.state;
  const base = {
    stream: input.stream,
    streamFirstSeq: st.first_seq,
    streamLastSeq: st.last_seq,
    method: reader.method,
  };
  if (st.messages === 0) return { ...base, total: 0, messages: [], hasPrev: false, hasNext: false };

  const start = input.start;
  let forwardFrom: number | undefined;
  let backwardBefore: number | undefined;
  switch (start.kind) {
    case 'first':
      forwardFrom = st.first_seq;
      break;
    case 'last':
      backwardBefore = st.last_seq + 1;
      break;
    case 'seq':
      forwardFrom = Math.max(start.seq, st.first_seq);
      break;
    case 'time':
      forwardFrom = await seqAtTime(
        reader,
        si,
        typeof start.time === 'number' ? start.time : Date.parse(start.time),
      );
      break;
    case 'cursor': {
      const n = Number(start.cursor.slice(1));
      if (start.cursor[0] === 'a') forwardFrom = n + 1;
      else backwardBefore = n;
      break;
    }
  }

  let msgs: RawMsg[];
  let hasPrev: boolean;
  let hasNext: boolean;
  if (forwardFrom !== undefined) {
    msgs =
      forwardFrom > st.last_seq ? [] : await readForward(reader, forwardFrom, input.pageSize + 1, filter);
    hasNext = msgs.length > input.pageSize;
    if (hasNext) msgs = msgs.slice(0, input.pageSize);
    const firstSeq = msgs[0]?.seq ?? forwardFrom;
    hasPrev = await existsBefore(reader, si, firstSeq, filter);
  } else {
    const before = Math.min(backwardBefore!, st.last_seq + 1);
    msgs = await readBackward(reader, si, before, input.pageSize + 1, filter);
    hasPrev = msgs.length > input.pageSize;
    if (hasPrev) msgs = msgs.slice(msgs.length - input.pageSize);
    const lastSeq = msgs.length ? msgs[msgs.length - 1].seq : before - 1;
    hasNext = lastSeq < st.last_seq && (!filter || (await reader.getNext(lastSeq + 1, filter)) !== null);
  }

  const first = msgs[0]?.seq;
  const last = msgs.length ? msgs[msgs.length - 1].seq : undefined;
  return {
    ...base,
    total: await totalP.catch(() => undefined),
    messages: msgs.map((m) => toBrowsed(m, input.previewBytes)),
    first,
    last,
    hasPrev,
    hasNext,
    prevCursor: hasPrev && first !== undefined ? `b${first}` : undefined,
    nextCursor: hasNext && last !== undefined ? `a${last}` : undefined,
  };
}

export async function readForward(
  reader: StreamReader,
  from: number,
  limit: number,
  filter?: string,
  upTo?: number,
): Promise<RawMsg[]> {
  const cur = await reader.open(from, filter);
  try {
    return await cur.next(limit, upTo);
  } finally {
    cur.close();
  }
}

/** The last `limit` matching messages with seq < before, ascending. */
export async function readBackward(
  reader: StreamReader,
  si: StreamInfo,
  before: number,
  limit: number,
  filter?: string,
): Promise<RawMsg[]> {
  const firstSeq = si.state.first_seq;
  let collected: RawMsg[] = [];
  let hi = before - 1;
  let window = limit;
  while (collected.length < limit && hi >= firstSeq) {
    const lo = Math.max(firstSeq, hi - window + 1);
    const part = await readForward(reader, lo, Number.MAX_SAFE_INTEGER, filter, hi);
    collected = part.concat(collected);
    hi = lo - 1;
    window *= 4;
  }
  return collected.slice(Math.max(0, collected.length - limit));
}

async function existsBefore(
  reader: StreamReader,
  si: StreamInfo,
  seq: number,
  filter?: string,
): Promise<boolean> {
  if (seq <= si.state.first_seq) return false;
  if (!filter) return true;
  const m = await reader.getNext(si.state.first_seq, filter);
  return !!m && m.seq < seq;
}

/**
 * First sequence stored at or after `timeMs`: binary search with message get (works on 2.9 and
 * on every retention; ~20 requests for a million messages). Deleted sequences answer with the
 * next stored message, so gaps need no special case.
 */
export async function seqAtTime(reader: StreamReader, si: StreamInfo, timeMs: number): Promise<number> {
  let lo = si.state.first_seq;
  let hi = si.state.last_seq + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const m = await reader.getNext(mid);
    if (!m || m.timeMs >= timeMs) hi = mid;
    else lo = m.seq + 1;
  }
  return lo;
}

/** Messages matching a filter, from the server's per-subject counts; undefined if too many subjects. */
export async function countMatching(
  jsm: JetStreamManager,
  si: StreamInfo,
  filter: string,
): Promise<number | undefined> {
  if ((si.state.num_subjects ?? 0) > MAX_SUBJECTS_FOR_TOTAL) return undefined;
  const withSubjects = await jsm.streams.info(si.config.name, { subjects_filter: filter });
  const counts = withSubjects.state.subjects ?? {};
  if ((withSubjects.total ?? 0) > Object.keys(counts).length) return undefined;
  let n = 0;
  for (const k in counts) n += counts[k];
  return n;
}
