import type { FastifyInstance } from 'fastify';
import type { MonitorRuntime } from './runtime';

/** `GET /metrics` (Prometheus text format) on the `jetdeck serve` server, from the core's own registry. */
export async function registerMetricsRoutes(app: FastifyInstance, monitor: MonitorRuntime): Promise<void> {
  const registry = monitor.registry;
  app.get('/metrics', async (_req, reply) => {
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(body);
  });
}
