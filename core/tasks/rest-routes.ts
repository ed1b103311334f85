import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { capDepth } from '../../api/depth';
import { ApiError } from '../../api/errors';
import type { Core } from '../core';
import { toApiError } from '../errors';
import { taskService } from './feature';
import { openApiDocument } from './openapi';
import { createTaskBody, idParams, listQuery, statusBody } from './rest-schemas';

/**
 * REST task endpoints of `jetdeck serve` (the auth hooks are already on `app`). Every input is
 * validated with zod before anything is published. Errors are thrown: the server's one error
 * handler turns them into `{ ok: false, error: { name, code, message } }` with the code's HTTP status (400, 404,
 * 409, 413, 507 when the TASKS stream is full, 503 when NATS is down).
 */
export async function registerTaskRoutes(app: FastifyInstance, core: Core): Promise<void> {
  const svc = taskService(core);
  let openapi: unknown;

  app.post('/api/tasks', async (req, reply) => {
    const body = parse(createTaskBody, req.body ?? undefined, 'body');
    const r = await svc.publish(body);
    reply.code(r.duplicate ? 200 : 201);
    if (!r.duplicate) reply.header('location', `/api/tasks/${encodeURIComponent(r.task.id)}`);
    return { ...r.task, status: 'pending', seq: r.seq, subject: r.subject, duplicate: r.duplicate };
  });

  app.get('/api/tasks', async (req) => {
    const q = parse(listQuery, req.query, 'query');
    const { tasks, next, counts, ready } = svc.list(q);
    return { tasks, next, counts, ready };
  });

  // A task another client published may be nested too deep to serialize: capped, not a 500.
  app.get('/api/tasks/:id', async (req) => capDepth(svc.get(parse(idParams, req.params, 'path').id)));

  app.patch('/api/tasks/:id/status', async (req) => {
    const { id } = parse(idParams, req.params, 'path');
    const { status } = parse(statusBody, req.body ?? undefined, 'body');
    return svc.setStatus(id, status);
  });

  app.delete('/api/tasks/:id', async (req, reply) => {
    const task = await svc.cancel(parse(idParams, req.params, 'path').id);
    reply.code(202);
    return task;
  });

  app.get('/api/queue/status', () => svc.queueStatus());

  app.get('/api/openapi.json', async (_req, reply) => {
    openapi ??= openApiDocument(core.version);
    return reply.type('application/json; charset=utf-8').send(openapi);
  });
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const e = toApiError(r.error);
    throw new ApiError('invalid_input', `invalid ${where}: ${e.message}`, e.detail);
  }
  return r.data;
}
