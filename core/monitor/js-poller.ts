import type { RawConsumerInfo, RawStreamInfo } from '../../nats/metrics/inputs';
import { listConsumers, listStreams } from './js-lister';
import type { RequestMux } from './request-mux';

/** An idle stream's consumers are re-listed at least this often. */
export const IDLE_RELIST_MS = 5_000;
/** New streams' first idle re-lists are spread over this many slots of IDLE_RELIST_MS / SPREAD. */
const SPREAD = 5;

interface Listing {
  /** The stream state the consumers were listed against. */
  firstSeq: number;
  lastSeq: number;
  messages: number;
  consumerCount: number;
  consumers: RawConsumerInfo[];
  /** A consumer had undelivered or unacknowledged messages at the listing. */
  busy: boolean;
  /** When an unchanged, idle stream is re-listed anyway. */
  dueAt: number;
  /** When it was listed. */
  at: number;
  /** A consumer filters (busyRelistMs applies). */
  filtered: boolean;
}

export interface JetStreamSnapshot {
  streams: RawStreamInfo[];
  /** Every consumer of every stream, fresh or carried forward from an earlier listing. */
  consumers: RawConsumerInfo[];
  /** Streams whose consumers were listed in this poll. */
  relisted: number;
}

/**
 * Streams every poll (one STREAM.LIST), consumers only where they can have changed, since
 * CONSUMER.LIST is most of the sampler's cost (one request and ~1 KB of JSON per consumer).
 * A stream's consumers are re-listed when:
 * - its state (first_seq, last_seq, messages, consumer_count) moved: publishes, deletions
 *   (WorkQueue acks, limits, purges) and consumers added or removed all show there;
 * - any of its consumers had pending or ack-pending messages at the last listing: deliveries,
 *   acks, naks and redeliveries change those without touching the stream, so busy streams are
 *   read on every poll and their series keep full resolution;
 * - or IDLE_RELIST_MS passed. An idle consumer (nothing pending, nothing awaiting ack, stream
 *   unchanged) can only change num_waiting (pull requests come and go) or its config, or be
 *   replaced by another within one poll; those may show up to IDLE_RELIST_MS late.
 * Otherwise the last listing is carried forward unchanged (it is still exact). With
 * `busyRelistMs`, a busy or changed stream with a filtered consumer waits that long between
 * listings (carried forward meanwhile, no longer exact): the servers that need it rescan only
 * for filtered consumers.
 */
export class JetStreamPoller {
  private readonly listings = new Map<string, Listing>();
  private spread = 0;

  /**
   * @param busyRelistMs least time between two listings of a busy or changed stream's consumers
   *   (0: every poll; see consumerInfoReuseMs for servers where a listing costs deliveries).
   */
  constructor(
    private readonly mux: RequestMux,
    private readonly idleRelistMs = IDLE_RELIST_MS,
    private readonly busyRelistMs = 0,
  ) {}

  /** Throws when STREAM.LIST fails; a failed CONSUMER.LIST keeps that stream's last listing. */
  async poll(now = Date.now()): Promise<JetStreamSnapshot> {
    const streams = await listStreams(this.mux);
    const live = new Set<string>();
    const relists: Promise<void>[] = [];
    for (const s of streams) {
      const name = s.config.name;
      live.add(name);
      const prev = this.listings.get(name);
      if (s.state.consumer_count === 0) {
        this.listings.set(name, listingOf(s, [], now + this.idleRelistMs, now));
      } else if (
        !prev ||
        now >= prev.dueAt ||
        ((prev.busy || changed(prev, s)) && (!prev.filtered || now - prev.at >= this.busyRelistMs))
      ) {
        relists.push(this.relist(s, prev, now));
      }
    }
    for (const name of this.listings.keys()) if (!live.has(name)) this.listings.delete(name);
    await Promise.all(relists);
    const consumers: RawConsumerInfo[] = [];
    for (const s of streams) {
      const l = this.listings.get(s.config.name);
      if (l) for (const c of l.consumers) consumers.push(c);
    }
    return { streams, consumers, relisted: relists.length };
  }

  private async relist(s: RawStreamInfo, prev: Listing | undefined, now: number): Promise<void> {
    const name = s.config.name;
    try {
      const consumers = await listConsumers(this.mux, name);
      // A stream's first listing gets a staggered due time so idle re-lists spread over polls.
      const wait = prev ? this.idleRelistMs : (this.idleRelistMs * ((this.spread++ % SPREAD) + 1)) / SPREAD;
      this.listings.set(name, listingOf(s, consumers, now + wait, now));
    } catch {
      // Deleted meanwhile or a timeout: keep what we had and try again on the next poll.
      if (prev) prev.dueAt = 0;
      else this.listings.set(name, listingOf(s, [], 0, 0));
    }
  }
}

function listingOf(s: RawStreamInfo, consumers: RawConsumerInfo[], dueAt: number, at: number): Listing {
  return {
    at,
    firstSeq: s.state.first_seq,
    lastSeq: s.state.last_seq,
    messages: s.state.messages,
    consumerCount: s.state.consumer_count,
    consumers,
    busy: consumers.some((c) => c.num_pending > 0 || c.num_ack_pending > 0),
    filtered: consumers.some((c) => !!c.config.filter_subject || !!c.config.filter_subjects?.length),
    dueAt,
  };
}

function changed(l: Listing, s: RawStreamInfo): boolean {
  const st = s.state;
  return (
    l.lastSeq !== st.last_seq ||
    l.firstSeq !== st.first_seq ||
    l.messages !== st.messages ||
    l.consumerCount !== st.consumer_count
  );
}
