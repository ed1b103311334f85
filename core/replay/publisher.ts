import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import type { PubAckReply } from '../../nats/publish/pub-ack';
import { PubAckTracker, Sent } from '../../nats/publish/pub-ack-tracker';

/** Called once per message: its PubAck (ok, maybe duplicate) or the error; `ref` as given to send. */
export type OutcomeCallback = (
  ok: boolean,
  duplicate: boolean,
  error: string | undefined,
  ref: number,
) => void;

class Pending extends Sent {
  constructor(
    public subject: string,
    public data: Uint8Array | undefined,
    public headers: MsgHdrs | undefined,
    readonly ref: number,
  ) {
    super();
  }
}

/**
 * Replay and import publishing. In-flight messages are capped because nothing else bounds
 * memory, and a message without an ack after `ackTimeoutMs` counts as failed: it is never
 * re-sent, since a replayed message need not carry a Nats-Msg-Id that would make that safe.
 */
export class FastPublisher extends PubAckTracker<Pending> {
  constructor(
    nc: NatsConnection,
    private readonly onOutcome: OutcomeCallback,
    maxInFlight = 4096,
    ackTimeoutMs = 10_000,
  ) {
    super(nc, maxInFlight, ackTimeoutMs, 1000);
  }

  /** Resolves once the message is handed to the connection (waits while too many are in flight). */
  async publish(subject: string, data: Uint8Array, headers?: MsgHdrs, ref = -1): Promise<void> {
    for (let room = this.ready(); room; room = this.ready()) await room;
    this.send(subject, data, headers, ref);
  }

  /** Sends now; call `ready()` first to respect the window. */
  send(subject: string, data: Uint8Array, headers?: MsgHdrs, ref = -1): void {
    this.start(new Pending(subject, data, headers, ref));
  }

  close(): void {
    for (const p of this.stopTracking()) this.onOutcome(false, false, 'cancelled', p.ref);
  }

  protected write(p: Pending, reply: string): void {
    const data = p.data;
    // Never re-sent: let the payload go while the PubAck is awaited.
    p.data = undefined;
    const headers = p.headers;
    p.headers = undefined;
    if (data) this.publishMsg(p.subject, reply, headers, data);
  }

  protected sendFailed(p: Pending, err: Error): void {
    this.settle(p, false, false, err.message);
  }

  protected acked(p: Pending, r: PubAckReply): void {
    switch (r.kind) {
      case 'ack':
        return this.settle(p, true, r.duplicate);
      case 'rejected':
        return this.settle(p, false, false, r.error);
      case 'status':
        return this.settle(
          p,
          false,
          false,
          r.code === 503
            ? 'no stream captures this subject (no responders)'
            : r.description || `status ${r.code}`,
        );
      case 'unreadable':
        return this.settle(p, false, false, 'unreadable PubAck');
    }
  }

  protected stale(p: Pending): void {
    this.settle(p, false, false, `no PubAck within ${this.ackTimeoutMs} ms`);
  }

  private settle(p: Pending, ok: boolean, duplicate: boolean, error?: string): void {
    if (this.forget(p)) this.onOutcome(ok, duplicate, error, p.ref);
  }
}
