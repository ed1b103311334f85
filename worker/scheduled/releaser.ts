import {
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type DeliveryInfo,
  type JetStreamClient,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import {
  SCHEDULE_HEADERS,
  SUBJECTS,
  TASKS_STREAM,
  TASK_SCHEDULER_CONSUMER,
  isTaskType,
  releaseMsgId,
  taskRecordId,
} from '../../api/task-wire';
import { jsOptions } from '../../nats/connect-options';
import { ensureSchedulerConsumer } from '../../nats/topology';
import { jsonOrUndefined } from '../runtime/task-parse';

/** Releases handled at once (each is one PubAck round trip); the rest wait in the client buffer. */
const CONCURRENCY = 64;
const BUFFER = 256;
/** A release that could not be stored is tried again after this long (the message is nak'ed). */
const RETRY_MS = 2000;
const FATAL = new Set(['consumer_deleted', 'consumer_not_found', 'stream_not_found']);
/** Waiting tasks whose ack subject this process remembers, to drop them at once on a cancel. */
const MAX_WAITING = 20_000;
const ACK = new TextEncoder().encode('+ACK');

export interface ReleaserOptions {
  nc: NatsConnection;
  /** A cancel request (`tasks.delete {id}`) was seen for this id: drop it instead of releasing. */
  isCancelled(id: string): boolean;
  log(level: 'info' | 'warn', message: string): void;
}

/** What the releaser does with one scheduled message (pure: the tests and the loop share it). */
export type Decision =
  | { kind: 'wait'; ms: number; id: string }
  | { kind: 'drop'; id: string }
  | { kind: 'release'; id: string; target: string };

const LANE = /^tasks\.(new|high|typed\.[A-Za-z0-9_-]{1,128})$/;

/**
 * When a `tasks.scheduled` message is due and where it goes. Due = its body's `run_at` (a
 * message without a readable one is due now, so nothing waits for ever); the lane = the
 * `JetDeck-Target` header when it names one (tasks.new, tasks.high, tasks.typed.<type>), else
 * by the body's priority.
 */
export function decide(
  data: Uint8Array,
  hdr: { get(k: string): string } | undefined,
  seq: number,
  now: number,
  isCancelled: (id: string) => boolean,
): Decision {
  const body = jsonOrUndefined(data);
  const t = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const id = taskRecordId(body, hdr?.get('Nats-Msg-Id') || undefined, seq);
  // Cancelled: dropped when seen, due or not, so it leaves the lane (and counts.scheduled) now.
  if (isCancelled(id)) return { kind: 'drop', id };
  const due = typeof t.run_at === 'string' ? Date.parse(t.run_at) : NaN;
  if (Number.isFinite(due) && due > now) return { kind: 'wait', ms: due - now, id };
  const asked = hdr?.get(SCHEDULE_HEADERS.target) ?? '';
  let target: string = t.priority === 'high' ? SUBJECTS.high : SUBJECTS.new;
  if (LANE.test(asked) && (!asked.startsWith('tasks.typed.') || isTaskType(asked.slice(12)))) target = asked;
  return { kind: 'release', id, target };
}

/**
 * The scheduled lane on any server version: every JetDeck process (app, serve, `jetdeck worker`,
 * each pool thread) pulls from the durable `task-scheduler` consumer on `tasks.scheduled`. A
 * task not yet due is nak'ed with its remaining time, so the server's redelivery timer holds it
 * (in the consumer's state: it survives restarts of every process and of the server) and hands
 * it to whichever puller is connected when it falls due — no polling, no process in charge.
 * A due task is published to its lane under `Nats-Msg-Id: <id>:released` and acked only after
 * the PubAck: a crash in between redelivers it after ack wait and the stream drops the repeat,
 * so each task enters its lane once. A task cancelled meanwhile (`tasks.delete`) is acked and
 * dropped: at once by the process that deferred it last (it keeps the ack subject of the tasks it
 * nak'ed, bounded, and its cancel watch calls `cancelled(id)`), otherwise when it next comes
 * round (a restarted process, or more than MAX_WAITING waiting on one).
 */
export class ScheduledReleaser {
  private readonly js: JetStreamClient;
  private messages?: ConsumerMessages;
  private stopped = false;
  private running?: Promise<void>;
  private wake?: () => void;
  private inFlight = 0;
  private slot?: () => void;
  /** Released, dropped and deferred (nak'ed until due) by this process. */
  readonly counts = { released: 0, dropped: 0, deferred: 0, retried: 0 };
  /** Task id → the ack subject of its last delivery here (acks go by stream sequence, so any delivery's works). */
  private readonly waiting = new Map<string, string>();

  constructor(private readonly opts: ReleaserOptions) {
    this.js = jetstream(opts.nc, jsOptions(opts.nc));
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.messages?.close().catch(() => undefined);
    // Bounded: a loop stuck on a dead connection must not hold up a shutdown.
    await Promise.race([this.running, new Promise((r) => setTimeout(r, 3000).unref?.())]);
  }

  private async run(): Promise<void> {
    let backoff = 500;
    let said = '';
    while (!this.stopped && !this.opts.nc.isClosed()) {
      try {
        await this.consumeOnce();
        backoff = 500;
      } catch (err) {
        const m = (err as Error).message;
        if (m !== said) this.opts.log('warn', `scheduled lane: ${m} (retrying)`);
        said = m;
        await this.pause(backoff);
        backoff = Math.min(30_000, backoff * 2);
      }
    }
  }

  private async consumeOnce(): Promise<void> {
    const jsm = await jetstreamManager(this.opts.nc, jsOptions(this.opts.nc));
    for (const w of await ensureSchedulerConsumer(jsm)) this.opts.log('warn', w);
    const c = await this.js.consumers.get(TASKS_STREAM, TASK_SCHEDULER_CONSUMER);
    const messages = await c.consume({ max_messages: BUFFER });
    this.messages = messages;
    let failure: string | undefined;
    void (async () => {
      for await (const s of messages.status()) {
        if (FATAL.has(s.type)) {
          failure = s.type;
          void messages.close().catch(() => undefined);
        }
      }
    })().catch(() => undefined);
    if (this.stopped) await messages.close();
    for await (const m of messages) {
      if (this.inFlight >= CONCURRENCY) await new Promise<void>((r) => (this.slot = r));
      this.inFlight++;
      void this.handle(m).finally(() => {
        this.inFlight--;
        const s = this.slot;
        this.slot = undefined;
        s?.();
      });
    }
    this.messages = undefined;
    if (failure && !this.stopped) throw new Error(`consumer ${TASK_SCHEDULER_CONSUMER}: ${failure}`);
  }

  private async handle(m: JsMsg): Promise<void> {
    const d = decide(m.data, m.headers, m.seq, Date.now(), (id) => this.opts.isCancelled(id));
    if (d.kind === 'wait') {
      this.counts.deferred++;
      this.remember(d.id, m);
      m.nak(Math.ceil(d.ms));
      return;
    }
    this.waiting.delete(d.id);
    if (d.kind === 'drop') {
      this.counts.dropped++;
      m.ack();
      return;
    }
    const h = natsHeaders();
    if (m.headers) {
      for (const k of m.headers.keys()) {
        if (/^nats-/i.test(k) || k === SCHEDULE_HEADERS.target) continue;
        for (const v of m.headers.values(k)) h.append(k, v);
      }
    }
    h.set(SCHEDULE_HEADERS.releasedFrom, String(m.seq));
    try {
      await this.js.publish(d.target, m.data, { msgID: releaseMsgId(d.id), headers: h, timeout: 10_000 });
      m.ack();
      this.counts.released++;
    } catch (err) {
      // Not stored (or not known to be): try again; the msg id makes a second store a no-op.
      this.counts.retried++;
      this.opts.log('warn', `could not release scheduled task ${d.id}: ${(err as Error).message}`);
      m.nak(RETRY_MS);
    }
  }

  /**
   * A cancel request for `id` (the cancel watch's live feed): a task this process deferred is
   * acked now, through the ack subject of its delivery, instead of when it falls due. The nak
   * made the message's own ack() a no-op, so the ack goes as the plain publish JetStream's
   * protocol defines (`+ACK` to the delivery's reply subject), by stream sequence.
   */
  cancelled(id: string): void {
    const reply = this.waiting.get(id);
    if (!reply || this.opts.nc.isClosed()) return;
    this.waiting.delete(id);
    this.opts.nc.publish(reply, ACK);
    this.counts.dropped++;
  }

  private remember(id: string, m: JsMsg): void {
    const subject = ackSubject(m.info);
    if (!subject) return;
    this.waiting.delete(id); // re-insert: oldest first for the cap
    this.waiting.set(id, subject);
    if (this.waiting.size > MAX_WAITING) this.waiting.delete(this.waiting.keys().next().value as string);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      t.unref?.();
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

/**
 * The ack subject of a delivery, from its public delivery info, in the form JetStream's protocol
 * defines and servers up to 2.9 use: `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.
 * <consumer seq>.<time>.<pending>`. The server acks by stream sequence (and the `+ACK` works after
 * the nak that made the message's own ack() a no-op). A delivery that came with
 * the longer form (a domain or account hash, newer servers) gets undefined: its task is then
 * dropped when it falls due, as before.
 */
export function ackSubject(di: DeliveryInfo): string | undefined {
  if (di.domain || di.account_hash) return undefined;
  // The time in ns is past 2^53 and arrives rounded: the server does not read it for an ack.
  const tokens = [di.deliveryCount, di.streamSequence, di.deliverySequence, di.timestampNanos, di.pending];
  if (!tokens.every((n) => Number.isInteger(n) && n >= 0)) return undefined;
  return `$JS.ACK.${di.stream}.${di.consumer}.${tokens.join('.')}`;
}
