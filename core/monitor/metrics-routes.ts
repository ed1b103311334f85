import type { FastifyInstance } from 'fastify';
import type { Core } from '../core';

/** `GET /metrics` (Prometheus). Filled by the monitor work. */
export async function registerMetricsRoutes(app: FastifyInstance, core: Core): Promise<void> {
  void app;
  void core;
}
