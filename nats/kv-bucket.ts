import type { Consumer, JetStreamManager, JsMsg } from '@nats-io/jetstream';

/**
 * Whether KV bucket `bucket` exists, asked as a stream list filtered by its subjects. A stream
 * info of a missing stream answers 404, which the server counts as a JetStream API error: the
 * screens that look for JetDeck's own buckets (saved views, jobs) before anyone wrote to them
 * would otherwise raise the account's error count on every visit.
 */
export async function bucketExists(jsm: JetStreamManager, bucket: string): Promise<boolean> {
  const stream = `KV_${bucket}`;
  for await (const name of jsm.streams.names(`$KV.${bucket}.>`)) if (name === stream) return true;
  return false;
}

/**
 * Hands a consumer's messages to `onMsg` (false: stop) until nothing is pending, asking each
 * fetch for at most what is pending so none waits for its expiry. Pending is taken from the
 * messages, not counted first: a KV key rewritten during the read appends its new revision (and,
 * with one revision per key, drops the old one), so a count taken first can end the read before
 * it. Reading a one-revision bucket whole this way stands in for a last-per-subject consumer,
 * which on nats-server 2.9 sometimes delivered one key twice and never the next over interior
 * deletes (nats-server#7005).
 */
export async function readUntilCaughtUp(
  c: Consumer,
  onMsg: (m: JsMsg) => boolean | void,
  batch = 1000,
): Promise<void> {
  let pending = (await c.info()).num_pending;
  while (pending > 0) {
    const iter = await c.fetch({ max_messages: Math.min(batch, pending), expires: 5000 });
    let got = 0;
    for await (const m of iter) {
      got++;
      pending = m.info.pending;
      if (onMsg(m) === false) {
        iter.stop();
        return;
      }
    }
    if (!got) return;
  }
}
