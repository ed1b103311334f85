import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { z } from 'zod';
import type { DeadLetter, DeadLetterAttempt, TimelineEntry } from '../../api/features/tasks';
import { TASKS_STREAM, TERMINAL_STATUSES } from '../../api/task-wire';
import { parse, type TaskRecord } from './state/record';

/**
 * Dead letters = tasks that ended `failed`: the worker reports `failed` and then terms the
 * message (MSG_TERMINATED advisory); when a task instead runs out of deliveries without any
 * report (crashed or hung worker), the MAX_DELIVERIES advisory is the only trace, so the core
 * publishes the missing `failed` event itself (note 'max_deliveries', Nats-Msg-Id
 * `<id>:failed:<deliveries>`, deduplicated against any late worker report). Everything is
 * therefore in the stream: dead letters survive restarts and every JetDeck sees the same.
 *
 * Discard publishes `tasks.status.cancelled` with note 'discarded' (Nats-Msg-Id
 * `<id>:discarded`): the task keeps its `failed` state and is hidden from the default list.
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
  reason: z.string().optional(),
});
export type ConsumerAdvisory = z.infer<typeof advisorySchema> & { kind: 'max_deliveries' | 'terminated' };

export interface DeadLetterFilter {
  type?: string;
  q?: string;
  includeResolved?: boolean;
}

export interface AdvisoryDeps {
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** The task's current record (window or bucket). */
  lookup(id: string): Promise<TaskRecord | undefined>;
  /** Adds the advisory to the task's timeline (the state's writer stores it). */
  note(id: string, entry: TimelineEntry, patch: Partial<TaskRecord>): Promise<void>;
  /** Publishes the `failed` event for a task that ran out of deliveries unreported. */
  reportExhausted(id: string, adv: ConsumerAdvisory): Promise<void>;
}

/** Listens to the two advisories: a task that ran out of deliveries unreported gets its `failed` event. */
export function watchAdvisories(deps: AdvisoryDeps): Subscription[] {
  const listen = (subject: string, kind: ConsumerAdvisory['kind']) =>
    deps.nc.subscribe(subject, {
      callback: (_err, m) => {
        let parsed: unknown;
        try {
          parsed = m.json();
        } catch {
          return;
        }
        const r = advisorySchema.safeParse(parsed);
        if (r.success) void onAdvisory(deps, { ...r.data, kind });
      },
    });
  return [listen(MAX_DELIVERIES_SUBJECT, 'max_deliveries'), listen(TERMINATED_SUBJECT, 'terminated')];
}

async function onAdvisory(deps: AdvisoryDeps, adv: ConsumerAdvisory): Promise<void> {
  try {
    const id = await idFromStream(deps.jsm, adv.stream_seq);
    if (!id) return;
    await deps.note(
      id,
      {
        kind: 'advisory',
        at: adv.timestamp,
        seq: adv.stream_seq,
        reason: adv.kind,
        deliveries: adv.deliveries,
        note: `consumer ${adv.consumer}`,
      },
      adv.kind === 'max_deliveries' ? { dead_reason: 'max_deliveries' } : {},
    );
    const status = (await deps.lookup(id))?.status;
    if (adv.kind === 'max_deliveries' && !(status && TERMINAL_STATUSES.includes(status))) {
      await deps.reportExhausted(id, adv);
    }
  } catch (err) {
    console.error(
      `[jetdeck] dead-letter advisory for seq ${adv.stream_seq} not handled: ${(err as Error).message}`,
    );
  }
}

/** The task id of the message an advisory names (as the worker reports it). */
async function idFromStream(jsm: JetStreamManager, seq: number): Promise<string | undefined> {
  const sm = await jsm.streams.getMessage(TASKS_STREAM, { seq });
  if (!sm) return undefined;
  const p = parse({
    subject: sm.subject,
    seq,
    time: sm.time.toISOString(),
    data: sm.data,
    headers: sm.header,
  });
  return p.kind === 'task' ? p.id : undefined;
}

export function isDeadLetter(e: TaskRecord, f: DeadLetterFilter = {}): boolean {
  if (e.status !== 'failed') return false;
  if (!f.includeResolved && (e.discarded || e.retried_as?.length)) return false;
  if (f.type && e.type !== f.type) return false;
  if (f.q && !e.id.includes(f.q)) return false;
  return true;
}

export function toDeadLetter(e: TaskRecord): DeadLetter {
  const errors: DeadLetterAttempt[] = [];
  for (const t of e.timeline) {
    if (t.kind === 'status' && t.error)
      errors.push({ attempt: t.attempt ?? 0, at: t.at, worker: t.worker, error: t.error });
  }
  return {
    id: e.id,
    type: e.type,
    seq: e.seq,
    task: e.task,
    reason: e.dead_reason ?? 'failed',
    attempts: e.attempts,
    errors,
    last_error: e.last_error,
    failed_at: e.failed_at ?? e.updated_at,
    retried_as: e.retried_as ? [...e.retried_as] : undefined,
    discarded: e.discarded || undefined,
  };
}
