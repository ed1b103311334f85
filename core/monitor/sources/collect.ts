import type { NatsConnection } from '@nats-io/transport-node';
import { inboxFor } from '../../../nats/connect-options';

export interface CollectOptions {
  /** Stop as soon as this many replies arrived (the servers we expect). */
  expected?: number;
  /** Hard deadline. */
  maxWaitMs?: number;
  /** After the first reply, stop when no other arrives for this long. */
  stallMs?: number;
}

/**
 * Publishes one request to a fan-out subject ($SYS.REQ.*.PING.*) and gathers every reply within
 * a short window: returns early once `expected` replies are in, else after a stall or deadline.
 */
export async function collectReplies(
  nc: NatsConnection,
  subject: string,
  body: unknown = {},
  opts: CollectOptions = {},
): Promise<unknown[]> {
  const { expected, maxWaitMs = 1000, stallMs = 250 } = opts;
  const replies: unknown[] = [];
  // Under the connection's inbox prefix (set when permissions restrict _INBOX).
  const inbox = inboxFor(nc);
  const sub = nc.subscribe(inbox);
  let stall: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => sub.unsubscribe(), maxWaitMs);
  nc.publish(subject, JSON.stringify(body), { reply: inbox });
  try {
    for await (const m of sub) {
      if (m.data.length === 0) continue; // no-responders / status message
      try {
        replies.push(JSON.parse(m.string()));
      } catch {
        continue;
      }
      if (expected && replies.length >= expected) break;
      if (stall) clearTimeout(stall);
      stall = setTimeout(() => sub.unsubscribe(), stallMs);
    }
  } finally {
    clearTimeout(deadline);
    if (stall) clearTimeout(stall);
    if (!sub.isClosed()) sub.unsubscribe();
  }
  return replies;
}

/** One request/reply with a JSON body, parsed. */
export async function requestJson<T>(
  nc: NatsConnection,
  subject: string,
  body: unknown = {},
  timeout = 2000,
): Promise<T> {
  const m = await nc.request(subject, JSON.stringify(body), { timeout });
  return JSON.parse(m.string()) as T;
}
