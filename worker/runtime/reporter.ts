import { SUBJECTS, type StatusEvent, type TaskStatus } from '../../api/task-wire';
import type { TaskMsg } from '../task-msg';
import { PublishFailure, type StatusPublisher } from '../status-publisher';
import type { Running } from './task-run';

/**
 * What became of a status event: `stored` (PubAck, a duplicate included: someone reported it),
 * `final` (refused for good: full stream, too large, rejected; `err` says why), `lost` (no PubAck
 * in time, or closed: the task is left unacked, so JetStream redelivers it).
 */
export type ReportOutcome = 'stored' | 'final' | 'lost';
export type ReportDone = (outcome: ReportOutcome, err?: PublishFailure) => void;

const COMPLETED_SUBJECT = SUBJECTS.status('completed');

/**
 * Stable Nats-Msg-Id of a status event. `failed` has one per task, whoever writes it (the worker
 * of the last attempt, or any JetDeck process turning an advisory into a record), so the
 * stream's duplicate window keeps exactly one. Other statuses are per attempt.
 */
export function statusMsgId(id: string, status: TaskStatus, attempt: number): string {
  return status === 'failed' ? `${id}:failed` : `${id}:${status}:${attempt}`;
}

/** Builds and publishes a worker's status events. */
export class TaskReporter {
  constructor(
    private readonly publisher: StatusPublisher,
    readonly worker: string,
    private readonly log: (level: 'warn' | 'error', message: string) => void,
  ) {}

  event(status: TaskStatus, id: string, attempt: number, extra: Partial<StatusEvent>): StatusEvent {
    return { id, status, at: isoTime(Date.now()), attempt, worker: this.worker, ...extra };
  }

  timing(r: Running, now: number): Partial<StatusEvent> {
    return { seq: r.msg.seq, started_at: isoTime(r.startedAt), duration_ms: now - r.startedAt };
  }

  /**
   * Publishes a status event; `then` runs after its PubAck (or its final refusal), so the
   * ack/nak/term that follows never outruns the report.
   */
  report(
    msg: TaskMsg,
    status: TaskStatus,
    id: string,
    attempt: number,
    extra: Partial<StatusEvent>,
    then: ReportDone,
  ): void {
    let data: string;
    try {
      data = JSON.stringify(this.event(status, id, attempt, extra));
    } catch (err) {
      this.log('error', `could not report ${status} for ${id} (seq ${msg.seq}): ${(err as Error).message}`);
      then('lost');
      return;
    }
    this.publisher.submit(SUBJECTS.status(status), data, statusMsgId(id, status, attempt), (err) => {
      if (!err) return then('stored');
      this.log('error', `could not report ${status} for ${id} (seq ${msg.seq}): ${err.message}`);
      then(err.final ? 'final' : 'lost', err);
    });
  }

  /**
   * `completed` with Nats-Msg-Id `<id>:completed`. The hot path: one event object, serialised
   * once; only the message, the id and the start time stay referenced until the PubAck (not the
   * task and its payload): less to GC. A result that cannot be serialised (a cycle, a BigInt)
   * is a final error of this attempt's report, like one the server refuses.
   */
  completed(r: Running, result: unknown, now: number, then: ReportDone): void {
    const { msg, startedAt } = r;
    const id = r.task.id;
    let data: string;
    try {
      data = JSON.stringify({
        id,
        status: 'completed',
        at: isoTime(now),
        attempt: r.attempt,
        worker: this.worker,
        seq: msg.seq,
        started_at: isoTime(startedAt),
        duration_ms: now - startedAt,
        result,
      } satisfies StatusEvent);
    } catch (err) {
      then('final', unserialisable(err));
      return;
    }
    this.publisher.submit(COMPLETED_SUBJECT, data, `${id}:completed`, (err) => {
      if (!err) return then('stored');
      if (!err.final)
        this.log('error', `could not report completed for ${id} (seq ${msg.seq}): ${err.message}`);
      then(err.final ? 'final' : 'lost', err);
    });
  }

  /** `processing`: informational, published and forgotten. */
  processing(r: Running, extra: Partial<StatusEvent>, msgId: string): void {
    this.publisher.fire(
      SUBJECTS.status('processing'),
      JSON.stringify(this.event('processing', r.task.id, r.attempt, { seq: r.msg.seq, ...extra })),
      msgId,
    );
  }
}

function unserialisable(err: unknown): PublishFailure {
  return new PublishFailure(`result is not serialisable as JSON: ${(err as Error).message}`, 'rejected');
}

/** ISO time of `ms`, cached: many events share a millisecond. */
let isoMs = -1;
let isoText = '';
export function isoTime(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}
