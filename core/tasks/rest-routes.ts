import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { capDepth } from '../../api/depth';
import { ApiError } from '../../api/errors';
import { toApiError } from '../errors';
import { APP_VERSION } from '../version';
import type { TaskService } from './service';
import { viewNameSchema } from '../../api/features/views';
import type { ViewsService } from '../views/service';
import { openApiDocument } from './openapi';
import { DEAD_LETTER_OPERATIONS } from './dead-letters/rest';
import {
  callBody,
  callResult,
  createdTaskSchema,
  createTaskBody,
  healthSchema,
  idParams,
  listQuery,
  methodParams,
  queueStatusSchema,
  readinessSchema,
  statusBody,
  statusResultSchema,
  taskDetailSchema,
  taskListSchema,
  taskSummarySchema,
} from './rest-schemas';

/**
 * The REST API of `jetdeck serve` as one table: each operation's path, id, schemas and answers.
 * The task operations are registered on fastify from it, and the OpenAPI document is generated
 * from it (openapi.ts), so the two cannot drift. Operations served elsewhere (health and the
 * contract bridge in core/serve, /metrics in core/monitor) are described here without a handler;
 * a test checks every one against the live server.
 */
export interface RestResponse {
  description: string;
  /** JSON body schema; omitted for non-JSON bodies. */
  schema?: z.ZodType;
  /** Content type of a non-JSON body. */
  contentType?: string;
}

export interface RestInput {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface RestOperation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI form: /api/tasks/{id}. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Status code → answer. 401 (wrong token) and 503 (NATS down) are added to every operation. */
  responses: Record<string, RestResponse>;
  handler?: (svc: TaskService, input: RestInput, reply: FastifyReply) => Promise<unknown> | unknown;
  /** The query takes `view=<name>`: that saved view's filter, under the parameters given. */
  view?: 'tasks' | 'deadLetters';
}

const err = (description: string): RestResponse => ({ description });

export const REST_OPERATIONS: RestOperation[] = [
  {
    method: 'post',
    path: '/api/tasks',
    operationId: 'publishTask',
    summary: 'Publish a task',
    description:
      "Publishes to tasks.new (tasks.high for priority high, tasks.typed.<type> for route typed) with Nats-Msg-Id = id. A duplicate id within the stream's 1 h duplicate window stores nothing and answers 200 with duplicate: true.",
    body: createTaskBody,
    responses: {
      '201': { description: 'Published', schema: createdTaskSchema },
      '200': { description: 'Duplicate id: nothing new stored', schema: createdTaskSchema },
      '400': err('Invalid body (nothing is published)'),
      '413': err('Task larger than the server max_payload'),
      '507': err(
        'The TASKS stream is full (discard new at max_bytes / max_msgs): nothing was stored; the message gives the server words',
      ),
    },
    handler: async (svc, { body }, reply) => {
      const r = await svc.publish(body as z.output<typeof createTaskBody>);
      reply.code(r.duplicate ? 200 : 201);
      if (!r.duplicate) reply.header('location', `/api/tasks/${encodeURIComponent(r.task.id)}`);
      return { ...r.task, status: 'pending', seq: r.seq, subject: r.subject, duplicate: r.duplicate };
    },
  },
  {
    method: 'get',
    path: '/api/tasks',
    operationId: 'listTasks',
    summary: 'List tasks, newest first',
    description:
      'view=<name> applies a saved task view (views.save): its status, type and q, under the parameters given beside it.',
    query: listQuery,
    view: 'tasks',
    responses: {
      '200': { description: 'A page', schema: taskListSchema },
      '400': err('Invalid query'),
    },
    handler: async (svc, { query }) => {
      const { tasks, next, counts, ready, index } = await svc.list(query as z.output<typeof listQuery>);
      return { tasks, next, counts, ready, index };
    },
  },
  {
    method: 'get',
    path: '/api/tasks/{id}',
    operationId: 'getTask',
    summary: 'One task with its timeline',
    params: idParams,
    responses: {
      '200': { description: 'The task', schema: taskDetailSchema },
      '400': err('Invalid id'),
      '404': err('Unknown id'),
    },
    // A task another client published may be nested too deep to serialize: capped, not a 500.
    handler: async (svc, { params }) => capDepth(await svc.get(params.id)),
  },
  {
    method: 'patch',
    path: '/api/tasks/{id}/status',
    operationId: 'setTaskStatus',
    summary: "Change a task's status by hand",
    description:
      'Allowed: cancelled (= cancel; 409 when already finished) and pending (= retry as a new task linked by metadata.retry_of; 409 while not finished). Statuses only workers report: 409.',
    params: idParams,
    body: statusBody,
    responses: {
      '200': { description: 'Done', schema: statusResultSchema },
      '400': err('Invalid body'),
      '404': err('Unknown id'),
      '409': err("Not allowed in the task's current state, or a status only workers report"),
    },
    handler: (svc, { params, body }) =>
      svc.setStatus(params.id, (body as z.output<typeof statusBody>).status),
  },
  {
    method: 'delete',
    path: '/api/tasks/{id}',
    operationId: 'cancelTask',
    summary: 'Cancel a task',
    description:
      'Publishes tasks.delete {id}: a worker that has not started it skips it, a running one gets an abort signal; both report cancelled.',
    params: idParams,
    responses: {
      '202': { description: 'Cancel requested', schema: taskSummarySchema },
      '400': err('Invalid id'),
      '404': err('Unknown id'),
      '409': err('Already completed, failed or cancelled'),
    },
    handler: async (svc, { params }, reply) => {
      const task = await svc.cancel(params.id);
      reply.code(202);
      return task;
    },
  },
  ...DEAD_LETTER_OPERATIONS,
  {
    method: 'get',
    path: '/api/queue/status',
    operationId: 'getQueueStatus',
    summary: 'Lane consumers: backlog, in flight, redelivered, waiting; time-to-drain estimate',
    responses: { '200': { description: 'Queue status', schema: queueStatusSchema } },
    handler: (svc) => svc.queueStatus(),
  },
  {
    method: 'get',
    path: '/api/health',
    operationId: 'getHealth',
    summary: 'Liveness: the server answers, with the state of its NATS connection',
    responses: { '200': { description: 'Alive', schema: healthSchema } },
  },
  {
    method: 'get',
    path: '/api/health/ready',
    operationId: 'getReadiness',
    summary: 'Readiness: NATS is connected with JetStream',
    responses: {
      '200': { description: 'Ready', schema: readinessSchema },
      '503': { description: 'Not ready, with the reason', schema: readinessSchema },
    },
  },
  {
    method: 'post',
    path: '/api/call/{method}',
    operationId: 'callContractMethod',
    summary: 'Call any method of the typed contract (the same one the UI uses)',
    description:
      "The body is the method's input (see the contract in api/features/); unknown methods are 404, invalid input 400.",
    params: methodParams,
    body: callBody,
    responses: {
      '200': { description: "The method's result", schema: callResult },
      '400': err('Invalid input'),
      '404': err('Unknown method or object'),
      '409': err('Not allowed in the current state'),
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics (text exposition format)',
    responses: { '200': { description: 'Metrics', contentType: 'text/plain' } },
  },
  {
    method: 'get',
    path: '/api/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    responses: { '200': { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
  },
];

/** Registers the operations that have handlers; errors go to the server's one error handler. */
export async function registerTaskRoutes(
  app: FastifyInstance,
  svc: TaskService,
  views: ViewsService,
): Promise<void> {
  for (const op of REST_OPERATIONS) {
    if (!op.handler) continue;
    const handler = op.handler;
    app.route({
      method: op.method.toUpperCase() as 'GET',
      url: op.path.replace(/\{(\w+)\}/g, ':$1'),
      handler: async (req, reply) => {
        let query: Record<string, unknown> = {};
        if (op.query) {
          const raw = req.query as Record<string, unknown>;
          query = parse(op.query, op.view ? await withView(views, op.view, raw) : raw, 'query');
          delete query.view;
        }
        return handler(
          svc,
          {
            params: op.params ? (parse(op.params, req.params, 'path') as Record<string, string>) : {},
            query,
            body: op.body ? parse(op.body, req.body ?? undefined, 'body') : undefined,
          },
          reply,
        );
      },
    });
  }
  let openapi: unknown;
  app.get('/api/openapi.json', async (_req, reply) => {
    openapi ??= openApiDocument(APP_VERSION, REST_OPERATIONS);
    return reply.type('application/json; charset=utf-8').send(openapi);
  });
}

/**
 * The query with a saved view's filter under it (`?view=name`), in the query's own parameter
 * names; parameters given beside `view` win. A view that does not exist is a 404.
 */
async function withView(
  views: ViewsService,
  screen: 'tasks' | 'deadLetters',
  raw: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (raw.view === undefined) return raw;
  const name = viewNameSchema.safeParse(raw.view);
  if (!name.success)
    throw new ApiError('invalid_input', `invalid query: view: ${name.error.issues[0]?.message}`);
  let fromView: Record<string, unknown>;
  if (screen === 'tasks') fromView = { ...(await views.filter('tasks', name.data)) };
  else {
    const { includeResolved, ...f } = await views.filter('deadLetters', name.data);
    fromView = includeResolved === undefined ? f : { ...f, include_resolved: String(includeResolved) };
  }
  return { ...fromView, ...raw };
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const e = toApiError(r.error);
    throw new ApiError('invalid_input', `invalid ${where}: ${e.message}`, e.detail);
  }
  return r.data;
}
