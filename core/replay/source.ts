import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import type { DryRunResult, replaySourceSchema } from '../../api/features/messages';
import { readBackward, seqAtTime } from '../messages/browser';
import type { RawMsg } from '../messages/format';
import { MsgGetReader, readerFor, type StreamReader } from '../messages/readers';

export type SourceSpec = z.output<typeof replaySourceSchema>;

const BATCH = 2000;
const GET_CONCURRENCY = 64;
const MAX_MISSING = 100;

/** A source resolved against the stream: explicit seqs, or an inclusive seq range + filter. */
export type ResolvedSource =
  | { kind: 'seqs'; stream: string; seqs: number[]; si: StreamInfo }
  | { kind: 'range'; stream: string; from: number; to: number; filter?: string; si: StreamInfo };

function toMs(t: string | number): number {
  return typeof t === 'number' ? t : Date.parse(t);
}

/**
 * Fixes the range at the moment the job starts (to ≤ the current last sequence), so replaying
 * into the stream being read never chases its own output.
 */
export async function resolveSource(
  nc: NatsConnection,
  jsm: JetStreamManager,
  spec: SourceSpec,
): Promise<ResolvedSource> {
  const si = await jsm.streams.info(spec.stream);
  if ('seqs' in spec) {
    return { kind: 'seqs', stream: spec.stream, seqs: [...new Set(spec.seqs)].sort((a, b) => a - b), si };
  }
  const reader = readerFor(nc, jsm, si);
  const st = si.state;
  let from = Math.max(spec.fromSeq ?? st.first_seq, st.first_seq);
  let to = Math.min(spec.toSeq ?? st.last_seq, st.last_seq);
  if (spec.fromTime !== undefined) from = Math.max(from, await seqAtTime(reader, si, toMs(spec.fromTime)));
  if (spec.toTime !== undefined) to = Math.min(to, (await seqAtTime(reader, si, toMs(spec.toTime) + 1)) - 1);
  const filter = spec.subject && spec.subject !== '>' ? spec.subject : undefined;
  return { kind: 'range', stream: spec.stream, from, to, filter, si };
}

/** Batches of stored messages in sequence order. */
export async function* readSource(
  nc: NatsConnection,
  jsm: JetStreamManager,
  src: ResolvedSource,
): AsyncGenerator<RawMsg[]> {
  if (src.kind === 'seqs') {
    const getter = new MsgGetReader(nc, src.stream, !!src.si.config.allow_direct);
    for (let i = 0; i < src.seqs.length; i += BATCH) {
      const got = await getMany(getter, src.seqs.slice(i, i + BATCH));
      yield got.filter((m): m is RawMsg => !!m);
    }
    return;
  }
  if (src.from > src.to || src.si.state.messages === 0) return;
  const reader = readerFor(nc, jsm, src.si);
  const cur = await reader.open(src.from, src.filter);
  // Read the next batch while the caller publishes this one.
  let pending = cur.next(BATCH, src.to);
  try {
    for (;;) {
      const batch = await pending;
      const last = cur.done;
      if (!last) pending = cur.next(BATCH, src.to);
      if (batch.length) yield batch;
      if (last) break;
    }
  } finally {
    // A caller that stops early (cancel, a cap) leaves the read-ahead unread: not an error.
    pending.catch(() => {});
    cur.close();
  }
}

async function getMany(getter: MsgGetReader, seqs: number[]): Promise<(RawMsg | null)[]> {
  const out: (RawMsg | null)[] = new Array(seqs.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < seqs.length) {
      const i = next++;
      out[i] = await getter.getSeq(seqs[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(GET_CONCURRENCY, seqs.length) }, worker));
  return out;
}

const brief = (m: RawMsg) => ({ seq: m.seq, subject: m.subject, time: new Date(m.timeMs).toISOString() });

/**
 * How many messages a source selects, with the first and last. Limits streams count with two
 * short-lived consumers' num_pending (no reading); others count by reading with message get.
 */
export async function countSource(
  nc: NatsConnection,
  jsm: JetStreamManager,
  src: ResolvedSource,
): Promise<DryRunResult> {
  if (src.kind === 'seqs') {
    const getter = new MsgGetReader(nc, src.stream, !!src.si.config.allow_direct);
    let count = 0;
    const missing: number[] = [];
    let first: RawMsg | undefined;
    let last: RawMsg | undefined;
    for (let i = 0; i < src.seqs.length; i += BATCH) {
      const got = await getMany(getter, src.seqs.slice(i, i + BATCH));
      got.forEach((m, j) => {
        if (!m) {
          if (missing.length < MAX_MISSING) missing.push(src.seqs[i + j]);
          return;
        }
        count++;
        first ??= m;
        last = m;
      });
    }
    return { count, first: first && brief(first), last: last && brief(last), missing };
  }
  if (src.from > src.to || src.si.state.messages === 0) return { count: 0, missing: [] };
  const reader = readerFor(nc, jsm, src.si);
  const firstMsg = await reader.getNext(src.from, src.filter);
  if (!firstMsg || firstMsg.seq > src.to) return { count: 0, missing: [] };
  const lastMsg = (await readBackward(reader, src.si, src.to + 1, 1, src.filter))[0];
  const count = await countRange(jsm, reader, src);
  return { count, first: brief(firstMsg), last: lastMsg && brief(lastMsg), missing: [] };
}

async function countRange(
  jsm: JetStreamManager,
  reader: StreamReader,
  src: Extract<ResolvedSource, { kind: 'range' }>,
): Promise<number> {
  const st = src.si.state;
  if (!src.filter && src.from <= st.first_seq && src.to >= st.last_seq) return st.messages;
  if (reader.method === 'ordered_consumer') {
    const pendingFrom = async (seq: number) => {
      if (seq > st.last_seq) return 0;
      const ci = await jsm.consumers.add(src.stream, {
        ack_policy: 'none' as never,
        deliver_policy: 'by_start_sequence' as never,
        opt_start_seq: seq,
        mem_storage: true,
        num_replicas: 1,
        inactive_threshold: 30_000_000_000,
        ...(src.filter ? { filter_subject: src.filter } : {}),
      });
      jsm.consumers.delete(src.stream, ci.name).catch(() => {});
      return ci.num_pending;
    };
    const [a, b] = await Promise.all([pendingFrom(src.from), pendingFrom(src.to + 1)]);
    return Math.max(0, a - b);
  }
  let n = 0;
  const cur = await reader.open(src.from, src.filter);
  try {
    while (!cur.done) n += (await cur.next(BATCH, src.to)).length;
  } finally {
    cur.close();
  }
  return n;
}
