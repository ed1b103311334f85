import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import Fastify from 'fastify';
import { SUBJECTS } from '../../api/task-wire';
import { createCore } from '../../core/backend';
import { startServe } from '../../core/serve/server';
import { startServer } from '../../test/harness';
import { percentile, ratio, report, type BenchGroup } from '../lib';

/**
 * `rest`: `POST /api/tasks` on `jetdeck serve` (token auth, zod validation, publish through the
 * PubAck window, wait until the task index has it so a GET right after sees it) from 50
 * concurrent keep-alive clients, versus a bare fastify route doing `js.publish` with msgID on
 * the same server. Rate = requests / wall time; p99 of per-request latency.
 */
const SCALE = Number(process.env.BENCH_SCALE ?? '1') || 1;
const REQUESTS = Math.max(1000, Math.round(20_000 * SCALE));
const WARMUP = Math.max(500, Math.round(REQUESTS / 4));
const CLIENTS = 50;
const TOKEN = 'bench-token-0123456789-abcdefghijkLMNOP';

export const group: BenchGroup = {
  name: 'rest',
  description: `${REQUESTS} POST /api/tasks from ${CLIENTS} concurrent clients vs a bare fastify + js.publish route`,
  async run() {
    const server = await startServer();
    const dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-bench-'));
    const core = createCore({ dataDir, mode: 'serve' });
    try {
      const profile = await core.router.invoke(
        'connections.save',
        { name: 'bench', servers: [server.url] },
        { transport: 'test' },
      );
      await core.router.invoke('connections.connect', { id: profile.id }, { transport: 'test' });
      const serve = await startServe(core, { port: 0, token: TOKEN });
      const bare = await bareRoute(server.url);
      const ourUrl = `${serve.url}/api/tasks`;
      const auth = { authorization: `Bearer ${TOKEN}` };
      // Warm both (JIT, connections, stream blocks) before measuring either.
      await load(ourUrl, auth, 'wj', WARMUP);
      await load(bare.url, {}, 'wb', WARMUP);
      const ours = await load(ourUrl, auth, 'j', REQUESTS);
      const baseline = await load(bare.url, {}, 'b', REQUESTS);
      await bare.close();
      await serve.close();

      report('rest_post_per_s', ours.perSec, 'req/s');
      report('rest_post_p99_ms', ours.p99, 'ms');
      report('baseline_rest_post_per_s', baseline.perSec, 'req/s');
      report('baseline_rest_post_p99_ms', baseline.p99, 'ms');
      ratio('rest_post_ratio', ours.perSec, baseline.perSec);
    } finally {
      await core.dispose();
      rmSync(dataDir, { recursive: true, force: true });
      await server.dispose();
    }
  },
};

async function bareRoute(natsUrl: string): Promise<{ url: string; close: () => Promise<void> }> {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const js = jetstream(nc);
  const app = Fastify({ logger: false });
  app.post('/t', async (req, reply) => {
    const body = req.body as { type: string; payload: unknown };
    const id = randomUUID();
    const task = { id, type: body.type, payload: body.payload, created_at: new Date().toISOString() };
    const ack = await js.publish(SUBJECTS.new, JSON.stringify(task), { msgID: id });
    return reply.code(201).send({ ...task, seq: ack.seq });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/t`,
    close: async () => {
      await app.close();
      await nc.close();
    },
  };
}

/** `count` POSTs spread over CLIENTS keep-alive connections, each client one request at a time. */
async function load(
  url: string,
  headers: Record<string, string>,
  tag: string,
  count: number,
): Promise<{ perSec: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const u = new URL(url);
  const latencies: number[] = [];
  let next = 0;
  const post = (i: number) =>
    new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ type: 'echo', payload: { i, tag } });
      const t0 = performance.now();
      const req = request(
        {
          agent,
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 201
              ? resolve(performance.now() - t0)
              : reject(new Error(`POST ${url}: HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < count) latencies.push(await post(next++));
    }),
  );
  const ms = performance.now() - t0;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { perSec: (count * 1000) / ms, p99: percentile(latencies, 99) };
}
