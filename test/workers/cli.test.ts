import { afterAll, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { startServer, stopAll } from '../harness/nats-server';
import { spawnWorker } from './exactly-once';
import { StatusCollector, connectTo, makeTask, publishTask, waitUntil } from './helpers';

afterAll(stopAll);

it('jetdeck worker: first Ctrl-C drains the running task, a second one exits at once', async () => {
  const server = await startServer();
  const nc = await connectTo(server.url);
  const events = new StatusCollector(nc);
  const w = spawnWorker([server.url], 'cli-a', 2);
  await w.running;
  const t = makeTask('sleep', { ms: 1500 });
  await publishTask(jetstream(nc), t);
  await events.waitFor((e) => e.some((x) => x.id === t.id && x.status === 'processing'), 10_000);
  w.proc.kill('SIGINT');
  expect(await w.exited).toBe(0);
  expect(w.output()).toContain('draining, Ctrl-C again to exit now');
  // Drained: the running task finished and was reported before exit.
  expect(events.of(t.id).some((e) => e.status === 'completed' && e.worker === 'cli-a')).toBe(true);

  const w2 = spawnWorker([server.url], 'cli-b', 2);
  await w2.running;
  const long = makeTask('sleep', { ms: 30_000 });
  await publishTask(jetstream(nc), long);
  await events.waitFor((e) => e.some((x) => x.id === long.id && x.status === 'processing'), 10_000);
  w2.proc.kill('SIGINT');
  // The second Ctrl-C only once the first was handled: two signals sent before the process runs
  // can merge into one, which would drain the 30 s task instead of exiting.
  await waitUntil(() => w2.output().includes('draining, Ctrl-C again'), 10_000, 'first Ctrl-C handled');
  w2.proc.kill('SIGINT');
  expect(await w2.exited).toBe(130);
  expect(w2.output()).toContain('exiting now');
  await nc.close();
});

it('jetdeck worker rejects bad flags with a clear message', async () => {
  const w = spawnWorker(['not a url'], 'cli-c', 1);
  await expect(w.running).rejects.toThrow(/--nats: expected a server URL/);
  expect(await w.exited).toBe(2);
});
