import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { z } from 'zod';
import { SUBJECTS, TASKS_STREAM, taskRecordId, type StatusEvent } from '../api/task-wire';

/**
 * Failure records for tasks whose worker could not write them. The worker that runs a task's
 * last attempt reports `failed` itself (handler error, a timeout it sees, a result it cannot
 * store). What no worker can report — the worker died, or its handler blocked it past ack wait
 * on the last delivery — JetStream reports as a MAX_DELIVERIES advisory; a message terminated by
 * a client that reported nothing (not JetDeck's workers, which report first) leaves only the
 * MSG_TERMINATED advisory. Any JetDeck process that is up (`jetdeck worker`, a pool thread, the
 * app or `serve`) turns either advisory into a `failed` status event with Nats-Msg-Id
 * `<task id>:failed` — the id every writer of a task's failure uses — so however many processes
 * (and the worker itself) write it, the stream's duplicate window stores one.
 *
 * Advisories are not stored by JetStream: one that fires while no JetDeck process is connected
 * is lost (the task then stays unfinished in the stream until someone retries it).
 */

const ADVISORY_PREFIX = '$JS.EVENT.ADVISORY.CONSUMER';
export const MAX_DELIVERIES_SUBJECT = `${ADVISORY_PREFIX}.MAX_DELIVERIES.${TASKS_STREAM}.*`;
export const TERMINATED_SUBJECT = `${ADVISORY_PREFIX}.MSG_TERMINATED.${TASKS_STREAM}.*`;

const advisorySchema = z.object({
  type: z.string(),
  timestamp: z.string(),
  stream: z.string(),
  consumer: z.string(),
  stream_seq: z.number().int().positive(),
  deliveries: z.number().int().nonnegative(),
  /** Why it was terminated (server 2.11+: `term(reason)`). */
  reason: z.string().optional(),
});
export type ConsumerAdvisory = z.infer<typeof advisorySchema> & { kind: 'max_deliveries' | 'terminated' };

/** The task an advisory is about, read from the stream by its sequence. */
export interface AdvisedTask {
  id: string;
  type?: string;
  subject: string;
}

export interface AdvisoryBridgeOptions {
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Written as `worker` in the failure records. */
  writer: string;
  /** Publishes a status event with that Nats-Msg-Id; resolves once stored (or a duplicate). */
  publish(subject: string, data: string, msgId: string): Promise<unknown>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Every advisory about a task, before its record is written (the core notes it on the timeline). */
  onAdvisory?(adv: ConsumerAdvisory, task: AdvisedTask): void;
}

/** Advisories waiting to be handled at most; a burst beyond it is logged and dropped. */
const QUEUE_CAP = 10_000;

const TASK_SUBJECT = /^tasks\.(new|high|typed\.[^.]+)$/;

/** Nats-Msg-Id of a task's failure record, whoever writes it. */
export const failedMsgId = (id: string) => `${id}:failed`;

export class AdvisoryBridge {
  private subs: Subscription[] = [];
  private readonly queue: ConsumerAdvisory[] = [];
  private busy = false;
  private dropped = 0;
  private stopped = false;

  constructor(private readonly opts: AdvisoryBridgeOptions) {}

  /** Subscribes to both advisories (core subscriptions: the server builds them only when someone listens). */
  start(): void {
    // A connection closed meanwhile (a profile switch during attach) has nothing to listen on.
    if (this.subs.length || this.stopped || this.opts.nc.isClosed()) return;
    const listen = (subject: string, kind: ConsumerAdvisory['kind']) =>
      this.opts.nc.subscribe(subject, {
        callback: (_err, m) => {
          let parsed: unknown;
          try {
            parsed = m.json();
          } catch {
            return;
          }
          const r = advisorySchema.safeParse(parsed);
          if (r.success) this.enqueue({ ...r.data, kind });
        },
      });
    this.subs = [listen(MAX_DELIVERIES_SUBJECT, 'max_deliveries'), listen(TERMINATED_SUBJECT, 'terminated')];
  }

  /** Waits until the subscriptions are registered with the server. */
  async ready(): Promise<void> {
    await this.opts.nc.flush();
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    if (!this.opts.nc.isClosed()) for (const s of this.subs) s.unsubscribe();
    this.subs = [];
  }

  private enqueue(adv: ConsumerAdvisory): void {
    if (this.queue.length >= QUEUE_CAP) {
      if (this.dropped++ % 1000 === 0)
        this.opts.log('error', `advisory backlog over ${QUEUE_CAP}: ${this.dropped} dropped so far`);
      return;
    }
    this.queue.push(adv);
    if (!this.busy) void this.drain();
  }

  /** One at a time: advisories are rare, and a burst must not open thousands of requests. */
  private async drain(): Promise<void> {
    this.busy = true;
    try {
      for (let adv = this.queue.shift(); adv && !this.stopped; adv = this.queue.shift()) {
        await this.handle(adv).catch((err: unknown) =>
          this.opts.log(
            'error',
            `${adv!.kind} advisory for ${TASKS_STREAM} seq ${adv!.stream_seq} not recorded: ${(err as Error).message}`,
          ),
        );
      }
    } finally {
      this.busy = false;
    }
  }

  private async handle(adv: ConsumerAdvisory): Promise<void> {
    const sm = await this.opts.jsm.streams
      .getMessage(TASKS_STREAM, { seq: adv.stream_seq })
      .catch(() => null);
    if (!sm) {
      this.opts.log(
        'warn',
        `${adv.kind} advisory for seq ${adv.stream_seq}: the message is no longer in ${TASKS_STREAM}; no record written`,
      );
      return;
    }
    // Only tasks: another explicit-ack consumer on the stream (e.g. over status events) is not ours.
    if (!TASK_SUBJECT.test(sm.subject)) return;
    const task = advisedTask(sm, adv.stream_seq);
    const ev: StatusEvent = {
      id: task.id,
      status: 'failed',
      at: adv.timestamp,
      attempt: adv.deliveries,
      worker: this.opts.writer,
      error: failureText(adv),
      note: adv.kind,
      seq: adv.stream_seq,
      ...(task.type ? { type: task.type } : {}),
    };
    this.opts.onAdvisory?.(adv, task);
    await this.opts.publish(SUBJECTS.status('failed'), JSON.stringify(ev), failedMsgId(task.id));
  }
}

function failureText(adv: ConsumerAdvisory): string {
  const d = adv.deliveries;
  if (adv.kind === 'max_deliveries')
    return `max deliveries (${d}) reached on consumer ${adv.consumer} without a result from any worker (its worker died, or its handler blocked the worker past ack wait)`;
  return `terminated on consumer ${adv.consumer} after ${d} deliver${d === 1 ? 'y' : 'ies'}${adv.reason ? `: ${adv.reason}` : ''}`;
}

/** Id and type of a task message, the id derived as the worker derives it. */
function advisedTask(sm: StoredMsg, seq: number): AdvisedTask {
  let body: unknown;
  try {
    body = sm.json<unknown>();
  } catch {
    /* not JSON: the header or the sequence names it */
  }
  const type = typeof body === 'object' && body !== null ? (body as { type?: unknown }).type : undefined;
  return {
    id: taskRecordId(body, sm.header?.get('Nats-Msg-Id') || undefined, seq),
    type: typeof type === 'string' && type ? type : undefined,
    subject: sm.subject,
  };
}
