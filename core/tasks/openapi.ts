import { z } from 'zod';
import { listInputSchema } from '../../api/features/tasks';
import {
  createTaskBody,
  createdTaskSchema,
  errorBody,
  idParams,
  queueStatusSchema,
  statusBody,
  statusResultSchema,
  taskDetailSchema,
  taskListSchema,
  taskSummarySchema,
} from './rest-schemas';

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the per-schema `$schema` key. */
function schema(s: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const out = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (s: JsonSchema) => ({ content: { 'application/json': { schema: s } } });
const error = (description: string) => ({ description, ...json(ref('Error')) });

const idParam = { name: 'id', in: 'path', required: true, schema: schema(idParams.shape.id) };
const QUERY_NOTES: Record<string, string> = { q: 'id substring', cursor: '`next` of the previous page' };
const common = {
  '401': error('Missing or wrong token'),
  '503': error('NATS is not connected'),
};

/** The OpenAPI 3.1 document of the task REST API, generated from the zod schemas. */
export function openApiDocument(version: string): JsonSchema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'JetDeck task API',
      version,
      description:
        'Tasks on NATS JetStream (stream TASKS). Authenticate with `Authorization: Bearer <token>` (the token `jetdeck serve` prints). Every error is `{ "ok": false, "error": { "name", "code", "message", "detail"? } }`.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        NewTask: schema(createTaskBody, 'input'),
        CreatedTask: schema(createdTaskSchema),
        TaskSummary: schema(taskSummarySchema),
        TaskDetail: schema(taskDetailSchema),
        TaskList: schema(taskListSchema),
        StatusChange: schema(statusBody, 'input'),
        StatusChangeResult: schema(statusResultSchema),
        QueueStatus: schema(queueStatusSchema),
        Error: schema(errorBody),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/tasks': {
        post: {
          summary: 'Publish a task',
          description:
            "Publishes to tasks.new (tasks.high for priority high, tasks.typed.<type> for route typed) with Nats-Msg-Id = id. A duplicate id within the stream's 1 h duplicate window stores nothing and answers 200 with duplicate: true.",
          requestBody: { required: true, ...json(ref('NewTask')) },
          responses: {
            '201': { description: 'Published', ...json(ref('CreatedTask')) },
            '200': { description: 'Duplicate id: nothing new stored', ...json(ref('CreatedTask')) },
            '400': error('Invalid body (nothing is published)'),
            '413': error('Task larger than the server max_payload'),
            ...common,
          },
        },
        get: {
          summary: 'List tasks, newest first',
          parameters: Object.entries(listInputSchema.shape).map(([name, s]) => ({
            name,
            in: 'query',
            ...(QUERY_NOTES[name] ? { description: QUERY_NOTES[name] } : {}),
            schema: schema(s, 'input'),
          })),
          responses: {
            '200': { description: 'A page', ...json(ref('TaskList')) },
            '400': error('Invalid query'),
            ...common,
          },
        },
      },
      '/api/tasks/{id}': {
        get: {
          summary: 'One task with its timeline',
          parameters: [idParam],
          responses: {
            '200': { description: 'The task', ...json(ref('TaskDetail')) },
            '404': error('Unknown id'),
            ...common,
          },
        },
        delete: {
          summary: 'Cancel a task',
          description:
            'Publishes tasks.delete {id}: a worker that has not started it skips it, a running one gets an abort signal; both report cancelled.',
          parameters: [idParam],
          responses: {
            '202': { description: 'Cancel requested', ...json(ref('TaskSummary')) },
            '404': error('Unknown id'),
            '409': error('Already completed, failed or cancelled'),
            ...common,
          },
        },
      },
      '/api/tasks/{id}/status': {
        patch: {
          summary: "Change a task's status by hand",
          description:
            'Allowed: cancelled (= cancel; 409 when already finished) and pending (= retry as a new task linked by metadata.retry_of; 409 while not finished). Other statuses are reported by workers: 400.',
          parameters: [idParam],
          requestBody: { required: true, ...json(ref('StatusChange')) },
          responses: {
            '200': { description: 'Done', ...json(ref('StatusChangeResult')) },
            '400': error('Status that cannot be set by hand, or invalid body'),
            '404': error('Unknown id'),
            '409': error("Not allowed in the task's current state"),
            ...common,
          },
        },
      },
      '/api/queue/status': {
        get: {
          summary: 'Lane consumers: backlog, in flight, redelivered, waiting; time-to-drain estimate',
          responses: { '200': { description: 'Queue status', ...json(ref('QueueStatus')) }, ...common },
        },
      },
      '/api/openapi.json': {
        get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1 document' } } },
      },
    },
  };
}
