import type { FastifyInstance } from 'fastify';
import type { Core } from '../core';

/** REST task endpoints (POST/GET/PATCH/DELETE /api/tasks..., GET /api/queue/status). Filled by the task service owner. */
export async function registerTaskRoutes(app: FastifyInstance, core: Core): Promise<void> {
  void app;
  void core;
}
