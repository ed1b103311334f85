import { afterAll, expect, it } from 'vitest';
import { startServer, stopAll } from '../harness/nats-server';
import { runExactlyOnce } from './exactly-once';

afterAll(stopAll);

it('nats-server restarted midway: every one of 2,000 tasks is reported completed exactly once', async () => {
  const server = await startServer();
  const { stored, ids, workers } = await runExactlyOnce({
    urls: [server.url],
    async disrupt() {
      await server.restart();
    },
  });
  expect(stored.size).toBe(ids.length);
  for (const id of ids) expect(stored.get(id), id).toBe(1);
  // The same worker process carried on after reconnecting.
  expect(workers).toHaveLength(1);
  expect(workers[0].output()).toContain('reconnected');
});
