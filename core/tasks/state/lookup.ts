import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { TASKS_BUCKET, kvStream, stateSubject, taskSubject } from './buckets';
import { getRecord } from './indexer';
import type { TaskRecord } from './record';
import { recordFromParts } from './stored';

/**
 * Reads a task's record by id. The bucket keeps one revision per key, so a key's only message
 * is its latest and a direct get of the *first* message on its subject (`next_by_subj` from 0)
 * finds it. On nats-server 2.9 that is what stays fast at any age: the server starts at the
 * first block holding the subject, while the KV client's `last_by_subj` walks the blocks back
 * from the newest (1M records, 200 random ids on a loaded 2-core machine: p50 1.5 vs 9.7 ms,
 * p95 40 vs 67 ms; `npm run bench -- --only scale`). A bucket kept with more history, without
 * direct gets, or a connection not allowed them uses the KV get.
 */
export class RecordLookup {
  private first: boolean;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly kv: KV,
    config: Pick<StreamConfig, 'max_msgs_per_subject' | 'allow_direct'>,
  ) {
    this.first = config.max_msgs_per_subject === 1 && config.allow_direct === true;
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    if (!this.first) return getRecord(this.kv, id);
    const stream = kvStream(TASKS_BUCKET);
    let t, s;
    try {
      // Both parts at once: the task part (written once) and the state part (events).
      [t, s] = await Promise.all([
        this.jsm.direct.getMessage(stream, { seq: 0, next_by_subj: taskSubject(id) }),
        this.jsm.direct.getMessage(stream, { seq: 0, next_by_subj: stateSubject(id) }),
      ]);
    } catch {
      // Refused (permissions allow only the per-subject form) or direct gets are off: the KV get.
      this.first = false;
      return getRecord(this.kv, id);
    }
    return recordFromParts(t?.data, s?.data);
  }
}
