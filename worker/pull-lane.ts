import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { inboxFor, jsApiPrefix } from '../nats/connect-options';
import { nanos } from '@nats-io/transport-node';
import { TASKS_STREAM } from '../api/task-wire';
import { toTaskMsg, type TaskMsg } from './task-msg';
import type { Lane } from '../nats/topology';

/**
 * Pull requests for one lane consumer, sized by the runtime's free capacity.
 *
 * Why not `consumer.consume()`: it re-pulls as soon as messages are *received*, not when they
 * are *finished*, so a slow handler lets up to max_ack_pending tasks pile up in one worker,
 * where they age past ack wait and get redelivered elsewhere. Here the runtime asks for exactly
 * what it can run. Each request has its own reply subject (`<inbox>.<n>`), so its end
 * (404/408/409 status) is matched to it. Like consume() it uses a plain callback subscription
 * (the fast path).
 */
export type LaneProblem = 'consumer_deleted' | 'heartbeats_missed' | 'no_responders' | 'error';

export interface PullLaneHandlers {
  onMessage(m: TaskMsg, lane: PullLane): void;
  /** A request ended (expired or was rejected): capacity came back. */
  onRequestEnded(lane: PullLane, reason: string): void;
  onProblem(lane: PullLane, problem: LaneProblem, detail: string): void;
}

export interface PullLaneOptions {
  expiresMs?: number;
  heartbeatMs?: number;
}

export class PullLane {
  /** Messages requested and neither delivered nor ended yet. */
  outstanding = 0;
  /** num_pending reported by the last delivered message: > 0 means a backlog is waiting. */
  backlog = 0;
  private readonly inbox: string;
  private readonly sub: Subscription;
  private readonly requests = new Map<string, number>();
  private nextReq = 0;
  private lastActivity = Date.now();
  private readonly monitor: NodeJS.Timeout;
  private readonly expiresMs: number;
  private readonly heartbeatMs: number;
  private readonly nextSubject: string;

  constructor(
    private readonly nc: NatsConnection,
    readonly lane: Lane,
    private readonly handlers: PullLaneHandlers,
    opts: PullLaneOptions = {},
  ) {
    this.expiresMs = opts.expiresMs ?? 10_000;
    this.heartbeatMs = opts.heartbeatMs ?? Math.min(5_000, Math.max(500, Math.floor(this.expiresMs / 4)));
    this.nextSubject = `${jsApiPrefix(nc)}.CONSUMER.MSG.NEXT.${TASKS_STREAM}.${lane.consumer}`;
    this.inbox = inboxFor(nc);
    this.sub = nc.subscribe(`${this.inbox}.*`, {
      callback: (err, m) => (err ? this.fail(err) : this.receive(m)),
    });
    // Two missed heartbeats with requests outstanding: the server lost them (restart, leader
    // change) or the consumer is gone. Forget them; the runtime checks the consumer and re-pulls.
    this.monitor = setInterval(() => this.checkSilence(), this.heartbeatMs);
    this.monitor.unref?.();
  }

  get name(): string {
    return this.lane.consumer;
  }

  request(batch: number, expiresMs = this.expiresMs): void {
    if (batch <= 0 || this.nc.isClosed()) return;
    const id = String(++this.nextReq);
    this.requests.set(id, batch);
    this.outstanding += batch;
    if (this.outstanding === batch) this.lastActivity = Date.now();
    const body = { batch, expires: nanos(expiresMs), idle_heartbeat: nanos(this.heartbeatMs) };
    this.nc.publish(this.nextSubject, JSON.stringify(body), { reply: `${this.inbox}.${id}` });
  }

  /** Forgets every open request (after a reconnect or lost heartbeats). */
  reset(): void {
    this.requests.clear();
    this.outstanding = 0;
    this.lastActivity = Date.now();
  }

  close(): void {
    clearInterval(this.monitor);
    this.reset();
    this.sub.unsubscribe();
  }

  private receive(m: Msg): void {
    this.lastActivity = Date.now();
    // Tasks come with an ack subject as reply; checking that first spares decoding their headers.
    const tm = toTaskMsg(m, this.nc);
    if (tm) {
      this.delivered();
      this.backlog = tm.pending;
      this.handlers.onMessage(tm, this);
      return;
    }
    const code = m.headers?.code ?? 0;
    if (code === 0 || !m.headers?.hasError) return; // idle heartbeat (100) or stray
    // Status messages come on the request's own reply subject.
    this.endRequest(m.subject.slice(this.inbox.length + 1), Number(m.headers?.get('Nats-Pending-Messages')));
    const description = m.headers?.description ?? '';
    if (code === 404 || code === 408) {
      // No messages / request expired: the lane is empty for now.
      this.backlog = 0;
      this.handlers.onRequestEnded(this, `${code} ${description}`);
    } else if (code === 409 && /consumer deleted/i.test(description)) {
      this.reset();
      this.handlers.onProblem(this, 'consumer_deleted', description);
    } else if (code === 503) {
      this.handlers.onProblem(this, 'no_responders', 'no JetStream responders');
    } else {
      // 409 leadership change, exceeded max waiting/batch...: retry via the runtime.
      this.handlers.onRequestEnded(this, `${code} ${description}`);
    }
  }

  /**
   * Data messages arrive with their stream subject, not the request's reply subject, so they
   * are charged to the oldest open request (the server fills requests in arrival order).
   */
  private delivered(): void {
    if (this.outstanding === 0) return;
    this.outstanding--;
    for (const [id, left] of this.requests) {
      if (left <= 1) this.requests.delete(id);
      else this.requests.set(id, left - 1);
      return;
    }
  }

  /** A request ended; the server says how many of its messages it never sent (if it says). */
  private endRequest(id: string, unsent: number): void {
    const left = this.requests.get(id);
    if (left === undefined && !(unsent > 0)) return;
    this.requests.delete(id);
    const n = Number.isFinite(unsent) && unsent >= 0 ? unsent : (left ?? 0);
    this.outstanding = Math.max(0, this.outstanding - n);
  }

  private checkSilence(): void {
    if (this.outstanding === 0) return;
    if (Date.now() - this.lastActivity < this.heartbeatMs * 2.5) return;
    if (this.nc.isClosed()) return;
    this.reset();
    this.handlers.onProblem(this, 'heartbeats_missed', 'no heartbeats for open pull requests');
  }

  private fail(err: Error): void {
    this.handlers.onProblem(this, 'error', err.message);
  }
}
