import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import type { KvEntryView, KvKeyList, KvOperation } from '../../api/features/kv';
import { entryView, kvStreamName } from './views';

const FETCH_BATCH = 1000;

/**
 * The newest entry of each key matching `filter`, in one pass: a headers-only ordered consumer
 * delivering the last message per subject (what `kv.keys()` reads, plus revision, time, size and
 * operation, which it drops). It reads at most `limit` keys and is deleted when done.
 */
export async function listKeys(
  js: JetStreamClient,
  bucket: string,
  opts: { filter: string; search?: string; limit: number },
): Promise<KvKeyList> {
  const prefix = `$KV.${bucket}.`;
  const c = await js.consumers.get(kvStreamName(bucket), {
    deliver_policy: DeliverPolicy.LastPerSubject,
    filter_subjects: `${prefix}${opts.filter}`,
    headers_only: true,
  });
  const q = opts.search?.trim().toLowerCase();
  const keys: KvEntryView[] = [];
  let truncated = false;
  try {
    // Fetch exactly what is there, so no fetch waits for its expiry.
    let left = (await c.info()).num_pending;
    while (left > 0 && !truncated) {
      const iter = await c.fetch({ max_messages: Math.min(FETCH_BATCH, left), expires: 5000 });
      let got = 0;
      for await (const m of iter) {
        got++;
        left--;
        const key = m.subject.slice(prefix.length);
        if (q && !key.toLowerCase().includes(q)) continue;
        if (keys.length === opts.limit) {
          truncated = true;
          iter.stop();
          break;
        }
        keys.push(
          entryView({
            key,
            revision: m.seq,
            created: new Date(Number(m.timestampNanos / 1_000_000n)),
            operation: (m.headers?.get('KV-Operation') || 'PUT') as KvOperation,
            length: Number(m.headers?.get('Nats-Msg-Size') || 0),
          }),
        );
      }
      if (!got) break;
    }
  } finally {
    await c.delete().catch(() => false);
  }
  keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { bucket, filter: opts.filter, keys, truncated };
}
