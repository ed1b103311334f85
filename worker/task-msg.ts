import type { Msg } from '@nats-io/transport-node';

/**
 * A delivered JetStream message as the runtime needs it: data, headers, delivery info parsed
 * from the ack subject, and the ack protocol. nats.js keeps its own JsMsg constructor private,
 * and our pull engine (pull-lane.ts) receives plain core messages. A class, not closures:
 * one allocation per message on the hot path.
 *
 * A task stays in flight until its completion's PubAck, so what it holds matters for GC: once
 * the runtime has parsed it, `release()` drops the core message (and with it the socket read
 * buffer its data is a view of); acks need only the reply subject.
 */
const encoder = new TextEncoder();
const ACK = encoder.encode('+ACK');
const NAK = encoder.encode('-NAK');
const WPI = encoder.encode('+WPI');
const TERM = encoder.encode('+TERM');

/** What acks are published through (the NATS connection). */
export interface AckPublisher {
  publish(subject: string, payload?: Uint8Array): void;
}

export class TaskMsg {
  private m: Msg | undefined;
  private readonly reply: string;

  constructor(
    m: Msg,
    private readonly nc: AckPublisher,
    /** Stream sequence. */
    readonly seq: number,
    /** 1 on the first delivery. */
    readonly deliveryCount: number,
    /** Messages left in the consumer after this one (for lane priority). */
    readonly pending: number,
  ) {
    this.m = m;
    this.reply = m.reply!;
  }

  get data(): Uint8Array {
    if (!this.m) throw new Error(`task message ${this.seq} was released`);
    return this.m.data;
  }

  /** The Nats-Msg-Id header (undefined once released). */
  get msgId(): string | undefined {
    return this.m?.headers?.get('Nats-Msg-Id') || undefined;
  }

  /** Done reading data and headers; only the ack protocol is used from here on. */
  release(): void {
    this.m = undefined;
  }

  ack(): void {
    this.respond(ACK);
  }

  /** Redeliver after `delayMs` (0: at once). */
  nak(delayMs = 0): void {
    this.respond(
      delayMs > 0 ? encoder.encode(`-NAK ${JSON.stringify({ delay: delayMs * 1_000_000 })}`) : NAK,
    );
  }

  working(): void {
    this.respond(WPI);
  }

  term(): void {
    this.respond(TERM);
  }

  private respond(data: Uint8Array): void {
    try {
      this.nc.publish(this.reply, data);
    } catch {
      /* closed or disconnected: as with any lost ack, JetStream redelivers after ack wait */
    }
  }
}

/**
 * Ack subjects: $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending> (v1, 9
 * tokens) or $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>... (v2, 11-12
 * tokens). Parsed by scanning dots rather than split(): this runs for every task.
 */
const dots = new Int32Array(12);
export function toTaskMsg(m: Msg, nc: AckPublisher): TaskMsg | undefined {
  const reply = m.reply;
  if (!reply || !reply.startsWith('$JS.ACK.')) return undefined;
  let n = 0;
  for (let i = reply.indexOf('.'); i >= 0; i = reply.indexOf('.', i + 1)) {
    if (n === dots.length) return undefined;
    dots[n++] = i;
  }
  const tokens = n + 1;
  const base = tokens === 9 ? 4 : tokens >= 11 ? 6 : -1;
  if (base < 0) return undefined;
  return new TaskMsg(
    m,
    nc,
    ackToken(reply, base + 1, n),
    ackToken(reply, base, n),
    ackToken(reply, base + 4, n),
  );
}

/** Token k (k ≥ 1) of an ack subject whose `n` dots are in `dots`, as a number. */
function ackToken(reply: string, k: number, n: number): number {
  return Number(reply.slice(dots[k - 1] + 1, k < n ? dots[k] : reply.length));
}
