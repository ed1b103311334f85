import { afterAll, expect, it } from 'vitest';
import { startServer, stopAll } from '../harness/nats-server';
import { runExactlyOnce } from './exactly-once';

afterAll(stopAll);

it('kill -9 of a jetdeck worker midway: every one of 2,000 tasks is reported completed exactly once', async () => {
  const server = await startServer();
  const { stored, ids, workers } = await runExactlyOnce({
    urls: [server.url],
    async disrupt({ workers, spawn }) {
      workers[0].proc.kill('SIGKILL');
      await workers[0].exited;
      await spawn('eo-b').running;
    },
  });
  expect(stored.size).toBe(ids.length);
  for (const id of ids) expect(stored.get(id), id).toBe(1);
  expect(workers[0].proc.signalCode).toBe('SIGKILL');
});
