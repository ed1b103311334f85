import type { NatsConnection } from '@nats-io/transport-node';
import { msgHeaders } from '../../nats/publish/pub-ack';
import { FastPublisher } from '../../core/replay/publisher';

const encoder = new TextEncoder();

/**
 * Publishes tasks `from..to-1` as a history of completed work through the fast publisher:
 * each task on tasks.new (Nats-Msg-Id = id) followed by its `completed` event (Nats-Msg-Id
 * `<id>:completed`), the same messages a JetDeck worker leaves behind.
 */
export async function seedCompleted(nc: NatsConnection, from: number, to: number): Promise<void> {
  let failed = 0;
  let firstError = '';
  const pub = new FastPublisher(
    nc,
    (ok, _d, err) => {
      if (!ok) {
        failed++;
        firstError ||= err ?? '';
      }
    },
    8192,
    60_000,
  );
  const at = new Date().toISOString();
  const t0 = performance.now();
  for (let i = from; i < to; i++) {
    const id = taskId(i);
    const task = `{"id":"${id}","type":"echo","payload":{"n":${i}},"created_at":"${at}"}`;
    const done = `{"id":"${id}","status":"completed","at":"${at}","attempt":1,"worker":"seed","result":{"n":${i}},"duration_ms":0}`;
    for (let room = pub.ready(); room; room = pub.ready()) await room;
    pub.send('tasks.new', encoder.encode(task), msgHeaders(id));
    for (let room = pub.ready(); room; room = pub.ready()) await room;
    pub.send('tasks.status.completed', encoder.encode(done), msgHeaders(`${id}:completed`));
    if ((i - from) % 200_000 === 0 && i > from) process.stderr.write(`  seed: ${i - from}/${to - from}\n`);
  }
  await pub.drain();
  pub.close();
  const rate = ((to - from) * 2000) / (performance.now() - t0);
  process.stderr.write(`  seed: ${to - from} tasks (+ completions), ${Math.round(rate)} msg/s\n`);
  if (failed) throw new Error(`${failed} seed publishes failed: ${firstError}`);
}

export const taskId = (i: number) => `hist-${String(i).padStart(8, '0')}`;
