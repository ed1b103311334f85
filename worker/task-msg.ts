import type { Msg } from '@nats-io/transport-node';

/**
 * A delivered JetStream message as the runtime needs it: data, headers, delivery info parsed
 * from the ack subject, and the ack protocol. nats.js keeps its own JsMsg constructor private,
 * and our pull engine (pull-lane.ts) receives plain core messages. A class, not closures:
 * one allocation per message on the hot path.
 */
const encoder = new TextEncoder();
const ACK = encoder.encode('+ACK');
const NAK = encoder.encode('-NAK');
const WPI = encoder.encode('+WPI');
const TERM = encoder.encode('+TERM');

export class TaskMsg {
  constructor(
    private readonly m: Msg,
    /** Stream sequence. */
    readonly seq: number,
    /** 1 on the first delivery. */
    readonly deliveryCount: number,
    /** Messages left in the consumer after this one (for lane priority). */
    readonly pending: number,
  ) {}

  get data(): Uint8Array {
    return this.m.data;
  }

  get msgId(): string | undefined {
    return this.m.headers?.get('Nats-Msg-Id') || undefined;
  }

  ack(): void {
    this.m.respond(ACK);
  }

  /** Redeliver after `delayMs` (0: at once). */
  nak(delayMs = 0): void {
    this.m.respond(
      delayMs > 0 ? encoder.encode(`-NAK ${JSON.stringify({ delay: delayMs * 1_000_000 })}`) : NAK,
    );
  }

  working(): void {
    this.m.respond(WPI);
  }

  term(): void {
    this.m.respond(TERM);
  }
}

/** Ack subjects: $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending> (v1, 9 tokens) or with domain and account hash (v2, 11-12 tokens). */
export function toTaskMsg(m: Msg): TaskMsg | undefined {
  const reply = m.reply;
  if (!reply?.startsWith('$JS.ACK.')) return undefined;
  const t = reply.split('.');
  const base = t.length === 9 ? 4 : t.length >= 11 ? 6 : -1;
  if (base < 0) return undefined;
  return new TaskMsg(m, Number(t[base + 1]), Number(t[base]), Number(t[base + 4]));
}
