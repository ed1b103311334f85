import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import type { KvEntryView, KvKeyList, KvOperation } from '../../api/features/kv';
import { entryView, kvStreamName } from './views';
import { readUntilCaughtUp } from '../../nats/kv-bucket';

const FETCH_BATCH = 1000;

/**
 * The newest entry of each key matching `filter`, in one pass: a headers-only consumer delivering
 * the last message per subject (what `kv.keys()` reads, plus revision, time, size and operation,
 * which it drops). A bucket keeping one revision per key is read whole instead: the same set, and
 * on nats-server 2.9 a last-per-subject consumer over interior deletes sometimes delivered one
 * key twice and never the next (nats-server#7005). It reads at most `limit` keys and is deleted
 * when done.
 */
export async function listKeys(
  js: JetStreamClient,
  bucket: string,
  opts: { filter: string; search?: string; limit: number; history?: number },
): Promise<KvKeyList> {
  const prefix = `$KV.${bucket}.`;
  const c = await js.consumers.get(kvStreamName(bucket), {
    deliver_policy: opts.history === 1 ? DeliverPolicy.All : DeliverPolicy.LastPerSubject,
    filter_subjects: `${prefix}${opts.filter}`,
    headers_only: true,
  });
  const q = opts.search?.trim().toLowerCase();
  /** Newest entry per key (a key rewritten during the read comes again, newer). */
  const byKey = new Map<string, KvEntryView>();
  let truncated = false;
  try {
    await readUntilCaughtUp(
      c,
      (m) => {
        const key = m.subject.slice(prefix.length);
        if (q && !key.toLowerCase().includes(q)) return;
        if (!byKey.has(key) && byKey.size === opts.limit) {
          truncated = true;
          return false;
        }
        byKey.set(
          key,
          entryView({
            key,
            revision: m.seq,
            created: new Date(Number(m.timestampNanos / 1_000_000n)),
            operation: (m.headers?.get('KV-Operation') || 'PUT') as KvOperation,
            length: Number(m.headers?.get('Nats-Msg-Size') || 0),
          }),
        );
      },
      FETCH_BATCH,
    );
  } finally {
    await c.delete().catch(() => false);
  }
  const keys = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { bucket, filter: opts.filter, keys, truncated };
}
