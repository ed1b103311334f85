import type { JetStreamManager } from '@nats-io/jetstream';

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
