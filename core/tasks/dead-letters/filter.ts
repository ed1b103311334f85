import type { DeadLetter, DeadLetterAttempt } from '../../../api/features/tasks';
import type { TaskRecord } from '../state/record';
import { fingerprintOf, normaliseError } from './fingerprint';

/**
 * Dead letters = tasks that ended `failed`: the worker of the last attempt reports `failed` and
 * then terms the message; when a task instead runs out of deliveries without any report (its
 * worker died or hung), any JetDeck process that is up writes the `failed` record from the
 * MAX_DELIVERIES advisory (nats/advisory-bridge: note 'max_deliveries', Nats-Msg-Id
 * `<id>:failed`, the one every writer uses). Everything is therefore in the stream: dead
 * letters survive restarts and every JetDeck sees the same.
 *
 * Discard publishes `tasks.delete {id, discard: true}` (Nats-Msg-Id `<id>:discarded`), not a
 * status event, so the counts per status stay those of the stream: the task keeps its `failed` state and is hidden from the default list.
 */

export interface DeadLetterFilter {
  type?: string;
  q?: string;
  includeResolved?: boolean;
  fingerprint?: string;
}

export function isDeadLetter(e: TaskRecord, f: DeadLetterFilter = {}): boolean {
  if (e.status !== 'failed') return false;
  if (!f.includeResolved && (e.discarded || e.retried_as?.length)) return false;
  if (f.type && e.type !== f.type) return false;
  if (f.q && !e.id.includes(f.q)) return false;
  return true;
}

/** What a dead letter is grouped by: its last error, else why it died. */
export function errorOf(lastError: string | undefined, reason: string | undefined): string {
  return lastError ?? `no error reported (${reason ?? 'failed'})`;
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
    fingerprint: fingerprintOf(normaliseError(errorOf(e.last_error, e.dead_reason))),
  };
}
