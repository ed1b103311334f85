import { type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { JetStreamApiError, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { ApiError } from '../../api/errors';
import type { ReadMethod } from '../../api/features/messages';
import { inboxFor, jsApiPrefix } from '../../nats/connect-options';
import { headersToRecord, nanosTextToMs, parseHeaderBlock, rfc3339ToMs, type RawMsg } from './format';

/*
 * Two ways to read a stream without disturbing it:
 *  - ordered-style consumer (ack none, memory, R1, short inactive threshold) pulled with
 *    no_wait: ~245k msg/s, for Limits streams;
 *  - message get (STREAM.MSG.GET, or DIRECT.GET when allow_direct) with next_by_subj: works on
 *    every stream, including WorkQueue (which refuses ack-none consumers) and Interest (where
 *    an extra consumer changes when messages are removed).
 */

const REQUEST_TIMEOUT_MS = 5000;
/** Inactive ephemeral consumers vanish on their own if we crash before deleting them. */
const EPHEMERAL_INACTIVE_NS = 30 * 1_000_000_000;
/** Bytes per pull: bounded memory for pages and replays of large messages. */
const PULL_MAX_BYTES = 16 * 1024 * 1024;
const MAX_PULL_BATCH = 10_000;

const te = new TextEncoder();
const td = new TextDecoder();

export interface ReadCursor {
  /** Up to `limit` messages (ascending), all ≤ `upTo`; fewer when the end is reached. */
  next(limit: number, upTo?: number): Promise<RawMsg[]>;
  readonly done: boolean;
  close(): void;
}

export interface StreamReader {
  readonly method: ReadMethod;
  /** A cursor from `from` (inclusive) over messages matching `filter`. */
  open(from: number, filter?: string): Promise<ReadCursor>;
  /** First message with seq ≥ from matching filter, or null (one request; never disturbs). */
  getNext(from: number, filter?: string): Promise<RawMsg | null>;
}

/** Chooses the reader for a stream: consumers only where they cannot change the stream. */
export function readerFor(nc: NatsConnection, jsm: JetStreamManager, si: StreamInfo): StreamReader {
  const getter = new MsgGetReader(nc, si.config.name, !!si.config.allow_direct);
  if (si.config.retention === 'limits') return new ConsumerReader(nc, jsm, si, getter);
  return getter;
}

// ---------------------------------------------------------------- message get

export class MsgGetReader implements StreamReader {
  readonly method: ReadMethod;
  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly direct: boolean,
  ) {
    this.method = direct ? 'direct_get' : 'msg_get';
  }

  async getSeq(seq: number): Promise<RawMsg | null> {
    return this.request({ seq });
  }

  async getNext(from: number, filter?: string): Promise<RawMsg | null> {
    return this.request({ seq: Math.max(1, from), next_by_subj: filter ?? '>' });
  }

  async getLast(subject: string): Promise<RawMsg | null> {
    return this.request({ last_by_subj: subject });
  }

  private async request(body: Record<string, unknown>): Promise<RawMsg | null> {
    if (this.direct) {
      const r = await this.nc.request(
        `${jsApiPrefix(this.nc)}.DIRECT.GET.${this.stream}`,
        te.encode(JSON.stringify(body)),
        {
          timeout: REQUEST_TIMEOUT_MS,
        },
      );
      const code = r.headers?.code ?? 0;
      if (code === 404) return null;
      if (code !== 0)
        throw new ApiError('nats_error', r.headers?.description || `direct get failed (${code})`);
      const h = r.headers!;
      return {
        seq: Number(h.get('Nats-Sequence')),
        subject: h.get('Nats-Subject'),
        timeMs: rfc3339ToMs(h.get('Nats-Time-Stamp')),
        headers: headersToRecord(h, true),
        data: r.data,
      };
    }
    const r = await this.nc.request(
      `${jsApiPrefix(this.nc)}.STREAM.MSG.GET.${this.stream}`,
      te.encode(JSON.stringify(body)),
      {
        timeout: REQUEST_TIMEOUT_MS,
      },
    );
    const res = JSON.parse(td.decode(r.data)) as {
      error?: { code: number; err_code: number; description: string };
      message?: { subject: string; seq: number; time: string; data?: string; hdrs?: string };
    };
    if (res.error) {
      if (res.error.err_code === 10037) return null; // no message found
      if (res.error.code === 404)
        throw new ApiError('not_found', res.error.description, { errCode: res.error.err_code });
      throw new ApiError(res.error.code === 400 ? 'invalid_input' : 'nats_error', res.error.description, {
        errCode: res.error.err_code,
      });
    }
    const m = res.message!;
    return {
      seq: m.seq,
      subject: m.subject,
      timeMs: rfc3339ToMs(m.time),
      headers: m.hdrs ? parseHeaderBlock(Buffer.from(m.hdrs, 'base64').toString('utf8')) : undefined,
      data: m.data ? new Uint8Array(Buffer.from(m.data, 'base64')) : new Uint8Array(0),
    };
  }

  async open(from: number, filter?: string): Promise<ReadCursor> {
    return new MsgGetCursor(this, Math.max(1, from), filter);
  }
}

/** Window size for speculative parallel gets (no filter); shrinks when gaps dominate. */
const MAX_WINDOW = 128;

class MsgGetCursor implements ReadCursor {
  done = false;
  private window = 16;
  constructor(
    private readonly r: MsgGetReader,
    private pos: number,
    private readonly filter?: string,
  ) {}

  async next(limit: number, upTo = Number.MAX_SAFE_INTEGER): Promise<RawMsg[]> {
    const out: RawMsg[] = [];
    while (!this.done && out.length < limit) {
      if (this.pos > upTo) {
        this.done = true;
        break;
      }
      if (this.filter && this.filter !== '>') {
        // Filtered: each answer says where to look next, so requests are sequential.
        const m = await this.r.getNext(this.pos, this.filter);
        if (!m || m.seq > upTo) {
          this.done = true;
          break;
        }
        out.push(m);
        this.pos = m.seq + 1;
        continue;
      }
      // Unfiltered: ask for the next `window` sequences at once; a deleted sequence answers
      // with the next existing message, so duplicates are dropped.
      const want = Math.min(this.window, limit - out.length, upTo - this.pos + 1);
      const start = this.pos;
      const got = await Promise.all(Array.from({ length: want }, (_, i) => this.r.getNext(start + i)));
      const seen = new Set<number>();
      let maxSeq = start - 1;
      let ended = false;
      for (const m of got) {
        if (!m) {
          ended = true;
          continue;
        }
        if (seen.has(m.seq) || m.seq > upTo) {
          if (m.seq > upTo) ended = true;
          continue;
        }
        seen.add(m.seq);
        if (m.seq > maxSeq) maxSeq = m.seq;
      }
      const fresh = got.filter((m): m is RawMsg => !!m && m.seq <= upTo).sort((a, b) => a.seq - b.seq);
      for (let i = 0; i < fresh.length && out.length < limit; i++) {
        if (i > 0 && fresh[i].seq === fresh[i - 1].seq) continue;
        if (out.length && fresh[i].seq <= out[out.length - 1].seq) continue;
        out.push(fresh[i]);
      }
      this.pos = (out.length ? out[out.length - 1].seq : maxSeq) + 1;
      if (ended && seen.size === 0) this.done = true;
      else if (ended && this.pos > maxSeq) this.done = true;
      // Dense: grow the window; sparse (many answers were the same message): shrink it.
      this.window =
        seen.size >= want * 0.75
          ? Math.min(MAX_WINDOW, this.window * 2)
          : Math.max(2, Math.ceil(seen.size * 1.5));
    }
    return out;
  }

  close(): void {
    this.done = true;
  }
}

// ---------------------------------------------------------------- consumer

export class ConsumerReader implements StreamReader {
  readonly method: ReadMethod = 'ordered_consumer';
  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly si: StreamInfo,
    private readonly getter: MsgGetReader,
  ) {}

  getNext(from: number, filter?: string): Promise<RawMsg | null> {
    return this.getter.getNext(from, filter);
  }

  async open(from: number, filter?: string): Promise<ReadCursor> {
    const stream = this.si.config.name;
    const start = Math.max(1, from);
    let ci;
    try {
      ci = await this.jsm.consumers.add(stream, {
        ack_policy: 'none' as never,
        deliver_policy: 'by_start_sequence' as never,
        opt_start_seq: start,
        replay_policy: 'instant' as never,
        mem_storage: true,
        num_replicas: 1,
        inactive_threshold: EPHEMERAL_INACTIVE_NS,
        ...(filter && filter !== '>' ? { filter_subject: filter } : {}),
      });
    } catch (err) {
      // A filter outside the stream's subjects is refused for consumers; message get answers
      // it (with nothing, or with what overlaps).
      if (filter && err instanceof JetStreamApiError && /filter subject/i.test(err.message))
        return this.getter.open(start, filter);
      throw err;
    }
    return new PullCursor(this.nc, this.jsm, stream, ci.name, start);
  }
}

/** Raw no_wait pulls on an ack-none consumer; messages parsed from the $JS.ACK reply subject. */
class PullCursor implements ReadCursor {
  done = false;
  private readonly inbox: string;
  private readonly sub: Subscription;
  private onMsg?: (m: Msg) => void;
  private lastSeq = 0;
  /** Each pull answers on its own reply subject, so a late status of an old pull is ignored. */
  private pullId = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly consumer: string,
    start: number,
  ) {
    this.lastSeq = start - 1;
    this.inbox = inboxFor(nc);
    this.sub = nc.subscribe(`${this.inbox}.*`, {
      callback: (_err, m) => {
        if (m.subject === `${this.inbox}.${this.pullId}` || m.reply) this.onMsg?.(m);
      },
    });
  }

  async next(limit: number, upTo = Number.MAX_SAFE_INTEGER): Promise<RawMsg[]> {
    const out: RawMsg[] = [];
    while (!this.done && out.length < limit) {
      // Sequences only grow, so no more than upTo - lastSeq messages can still be ≤ upTo.
      const batch = Math.max(1, Math.min(limit - out.length, upTo - this.lastSeq, MAX_PULL_BATCH));
      const { msgs, ended } = await this.pull(batch);
      for (const m of msgs) {
        if (m.seq > upTo) {
          this.done = true;
          break;
        }
        out.push(m);
        this.lastSeq = m.seq;
      }
      if (ended) this.done = true;
      if (this.lastSeq >= upTo) this.done = true;
    }
    return out;
  }

  private pull(batch: number): Promise<{ msgs: RawMsg[]; ended: boolean }> {
    return new Promise((resolve, reject) => {
      const msgs: RawMsg[] = [];
      const finish = (ended: boolean) => {
        clearTimeout(timer);
        this.onMsg = undefined;
        resolve({ msgs, ended });
      };
      const timer = setTimeout(() => {
        this.onMsg = undefined;
        if (msgs.length) resolve({ msgs, ended: false });
        else reject(new ApiError('timeout', `no reply from the server while reading ${this.stream}`));
      }, REQUEST_TIMEOUT_MS);
      this.onMsg = (m) => {
        const code = m.headers?.code ?? 0;
        if (code !== 0 || !m.reply) {
          // 404/408: nothing more right now (no_wait); 409: max bytes reached for this pull.
          if (code === 409 && /bytes/i.test(m.headers?.description ?? '')) return finish(msgs.length === 0);
          if (code === 404 || code === 408 || code === 409) return finish(true);
          return finish(true);
        }
        const t = m.reply.split('.');
        // $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending> (9 tokens), or the
        // 11/12-token form with domain and account hash after ACK.
        const o = t.length === 9 ? 0 : 2;
        msgs.push({
          seq: Number(t[5 + o]),
          subject: m.subject,
          timeMs: nanosTextToMs(t[7 + o]),
          headers: headersToRecord(m.headers),
          data: m.data,
        });
        if (msgs.length >= batch) finish(false);
      };
      this.nc.publish(
        `${jsApiPrefix(this.nc)}.CONSUMER.MSG.NEXT.${this.stream}.${this.consumer}`,
        te.encode(JSON.stringify({ batch, no_wait: true, max_bytes: PULL_MAX_BYTES })),
        { reply: `${this.inbox}.${++this.pullId}` },
      );
    });
  }

  close(): void {
    this.done = true;
    this.sub.unsubscribe();
    // Not awaited: the page is ready; the inactive threshold cleans up if this fails.
    this.jsm.consumers.delete(this.stream, this.consumer).catch(() => {});
  }
}
