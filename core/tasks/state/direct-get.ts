import type { JetStreamClient } from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { inboxFor } from '../../../nats/connect-options';
import { replyToken } from '../../../nats/publish/pub-ack';

/** No reply after this long: the caller falls back to the KV client. */
const TIMEOUT_MS = 5000;
const SWEEP_MS = 1000;

interface Waiting {
  resolve(m: Msg | null | undefined): void;
  sentAt: number;
}

/**
 * Direct gets of the last message on a subject, pipelined: each request is a core publish to
 * the stream's `DIRECT.GET` API with its own reply subject under one wildcard inbox, like the
 * publishers' PubAcks. The indexer reads many records per batch; a nats.js request per record
 * costs a subscription entry, a timer and an Error object each (a third of its read cost).
 *
 * `get` resolves the message, `null` when the subject has none (404), or `undefined` when
 * there was no usable answer (timeout, closed, another status): the caller then asks again
 * through the KV client, which reports the real error.
 */
export class DirectGets {
  private readonly inbox: string;
  private readonly api: string;
  private readonly sub: Subscription;
  private readonly waiting = new Map<number, Waiting>();
  private readonly sweeper: NodeJS.Timeout;
  private next = 0;

  constructor(
    private readonly nc: NatsConnection,
    js: JetStreamClient,
    stream: string,
  ) {
    const o = js.getOptions();
    const prefix = o.apiPrefix ?? (o.domain ? `$JS.${o.domain}.API` : '$JS.API');
    this.api = `${prefix}.DIRECT.GET.${stream}`;
    this.inbox = inboxFor(nc);
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, m) => this.onReply(m) });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  get(subject: string): Promise<Msg | null | undefined> {
    return new Promise((resolve) => {
      const token = ++this.next;
      this.waiting.set(token, { resolve, sentAt: Date.now() });
      try {
        this.nc.publish(this.api, JSON.stringify({ last_by_subj: subject }), {
          reply: `${this.inbox}.${token}`,
        });
      } catch {
        this.waiting.delete(token);
        resolve(undefined);
      }
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    if (!this.nc.isClosed()) this.sub.unsubscribe();
    for (const w of this.waiting.values()) w.resolve(undefined);
    this.waiting.clear();
  }

  private onReply(m: Msg): void {
    const token = replyToken(m, this.inbox);
    const w = this.waiting.get(token);
    if (!w) return;
    this.waiting.delete(token);
    // A message has a body (a record); a status (404) has none: headers only decoded for those.
    if (m.data.length) {
      w.resolve(m);
      return;
    }
    const code = m.headers?.code ?? 0;
    if (code === 404) w.resolve(null);
    else if (code && code !== 200) w.resolve(undefined);
    else w.resolve(m);
  }

  /** In send order: the first one young enough ends the sweep. */
  private sweep(): void {
    const now = Date.now();
    for (const [token, w] of this.waiting) {
      if (now - w.sentAt < TIMEOUT_MS) break;
      this.waiting.delete(token);
      w.resolve(undefined);
    }
  }
}
