import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { TASKS_BUCKET, kvStream, stateKey, taskKey } from '../../core/tasks/state/buckets';
import { RecordLookup } from '../../core/tasks/state/lookup';
import { startServer, type TestServer } from '../harness/nats-server';

/** A record by id: the first message on its key's subject when the bucket keeps one revision, else the KV get. */
describe('task record lookup by id', () => {
  let server: TestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    server = await startServer();
    nc = await connect({ servers: server.url, noAsyncTraces: true });
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  const lookupIn = async (history: number) => {
    await jsm.streams.delete(kvStream(TASKS_BUCKET)).catch(() => false);
    const kv = await new Kvm(nc).create(TASKS_BUCKET, { history });
    for (let i = 0; i < 50; i++) await kv.put(taskKey(`other-${i}`), JSON.stringify({ id: `other-${i}` }));
    await kv.put(taskKey('a:1'), JSON.stringify({ id: 'a:1', status: 'pending' }));
    await kv.put(taskKey('gone'), JSON.stringify({ id: 'gone' }));
    await kv.put(taskKey('a:1'), JSON.stringify({ id: 'a:1', status: 'completed' }));
    await kv.delete(taskKey('gone'));
    // Split: the task part written once, the state part on events (merged by the lookup).
    await kv.put(
      taskKey('split'),
      JSON.stringify({ id: 'split', status: 'pending', lseq: 5, seq: 5, timeline: [{ kind: 'published' }] }),
    );
    await kv.put(
      stateKey('split'),
      JSON.stringify({ id: 'split', status: 'completed', lseq: 9, seq: 5, timeline: [{ kind: 'status' }] }),
    );
    // A state part older than the task part is an earlier task's under the same id: left out.
    await kv.put(
      taskKey('again'),
      JSON.stringify({ id: 'again', status: 'pending', lseq: 20, seq: 20, timeline: [] }),
    );
    await kv.put(
      stateKey('again'),
      JSON.stringify({ id: 'again', status: 'failed', lseq: 12, seq: 3, timeline: [] }),
    );
    // A state part without its task part is no task.
    await kv.put(
      stateKey('orphan'),
      JSON.stringify({ id: 'orphan', status: 'completed', lseq: 9, seq: 5, timeline: [] }),
    );
    const { config } = await jsm.streams.info(kvStream(TASKS_BUCKET));
    return new RecordLookup(jsm, kv, config);
  };

  it.each([1, 3])(
    'finds the latest revision, and nothing for a deleted or unknown id (history %i)',
    async (h) => {
      const lookup = await lookupIn(h);
      expect(await lookup.get('a:1')).toMatchObject({ id: 'a:1', status: 'completed' });
      expect(await lookup.get('other-0')).toMatchObject({ id: 'other-0' });
      expect(await lookup.get('gone')).toBeUndefined();
      expect(await lookup.get('never')).toBeUndefined();
      const split = await lookup.get('split');
      expect(split).toMatchObject({ id: 'split', status: 'completed', lseq: 9 });
      expect(split!.timeline.map((e) => e.kind)).toEqual(['published', 'status']);
      expect(await lookup.get('again')).toMatchObject({ status: 'pending', lseq: 20 });
      expect(await lookup.get('orphan')).toBeUndefined();
    },
  );
});
