import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import { TASKS_MAX_AGE_MS, TASKS_STREAM } from '../../../api/task-wire';
import { keyOf } from './keys';

/**
 * The task state's two KV buckets. Both keep one revision per key and expire keys with the
 * TASKS stream's max age (and live on its replicas and placement), so the state never outlives the tasks it describes.
 * - `jetdeck_tasks`: `t.<id>` → the task part of its record, written once when its message is
 *   folded; `s.<id>` → the state part, written on its events (see record.ts: a lookup merges
 *   the two; a `t.` without `s.` is the whole record); `m.checkpoint` → the last
 *   TASKS sequence whose records are all stored; `m.lease` → which process writes them.
 * - `jetdeck_dead`: `<id>` → the record of each task that ended failed (small: read whole to
 *   list dead letters).
 */
export const TASKS_BUCKET = 'jetdeck_tasks';
export const DEAD_BUCKET = 'jetdeck_dead';
export const CHECKPOINT_KEY = 'm.checkpoint';
export const LEASE_KEY = 'm.lease';

export const taskKey = (id: string) => `t.${keyOf(id)}`;
export const stateKey = (id: string) => `s.${keyOf(id)}`;
/** The subjects records are written to (bypasses the KV client: the indexer pipelines puts). */
export const taskSubject = (id: string) => `$KV.${TASKS_BUCKET}.${taskKey(id)}`;
export const stateSubject = (id: string) => `$KV.${TASKS_BUCKET}.${stateKey(id)}`;
export const deadSubject = (id: string) => `$KV.${DEAD_BUCKET}.${keyOf(id)}`;
export const kvStream = (bucket: string) => `KV_${bucket}`;
export const RECORD_FILTER = `$KV.${TASKS_BUCKET}.>`;

export interface Buckets {
  tasks: KV;
  dead: KV;
}

/** Opens (creating if missing) both buckets where TASKS lives: same replicas and placement. */
export async function openBuckets(js: JetStreamClient, jsm: JetStreamManager): Promise<Buckets> {
  const { config } = await jsm.streams.info(TASKS_STREAM);
  const kvm = new Kvm(js);
  const opts: Partial<KvOptions> = {
    history: 1,
    ttl: config.max_age ? Math.round(config.max_age / 1e6) : TASKS_MAX_AGE_MS,
    replicas: config.num_replicas,
    ...(config.placement ? { placement: config.placement } : {}),
  };
  const [tasks, dead] = await Promise.all([kvm.create(TASKS_BUCKET, opts), kvm.create(DEAD_BUCKET, opts)]);
  return { tasks, dead };
}
