import { z } from 'zod';
import type { RestOperation, RestResponse } from './rest-routes';
import { errorBody } from './rest-schemas';

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the per-schema `$schema` key. */
function jsonSchema(s: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const out = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });
const ERROR_REF = { $ref: '#/components/schemas/Error' };
/** Parameters whose meaning the schema alone does not tell. */
const PARAM_NOTES: Record<string, string> = { q: 'id substring', cursor: '`next` of the previous page' };

/** Path and query parameters, one per property of the operation's zod object. */
function parameters(op: RestOperation): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', op.params],
    ['query', op.query],
  ] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema, 'input') as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      const { description = PARAM_NOTES[name], ...rest } = prop as JsonSchema & { description?: string };
      out.push({
        name,
        in: where,
        required: where === 'path' || (js.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

function responses(op: RestOperation): JsonSchema {
  const all: Record<string, RestResponse> = {
    ...op.responses,
    '401': { description: 'Missing or wrong token' },
    ...(op.path === '/api/health' || op.path === '/api/health/ready' || op.path === '/metrics'
      ? {}
      : { '503': { description: 'NATS is not connected' } }),
  };
  const out: JsonSchema = {};
  for (const [code, r] of Object.entries(all)) {
    // Error answers share the one error shape, unless the operation names its own body.
    if (r.schema) out[code] = { description: r.description, ...json(jsonSchema(r.schema)) };
    else if (!/^2/.test(code)) out[code] = { description: r.description, ...json(ERROR_REF) };
    else if (r.contentType)
      out[code] = {
        description: r.description,
        content: { [r.contentType]: { schema: { type: 'string' } } },
      };
    else out[code] = { description: r.description };
  }
  return out;
}

/** The OpenAPI 3.1 document of serve's HTTP API, generated from the route table's zod schemas. */
export function openApiDocument(version: string, operations: readonly RestOperation[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of operations) {
    const params = parameters(op);
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(op.body ? { requestBody: { required: true, ...json(jsonSchema(op.body, 'input')) } } : {}),
      responses: responses(op),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'JetDeck API',
      version,
      description:
        'Tasks on NATS JetStream (stream TASKS) and the typed contract of `jetdeck serve`. Authenticate with `Authorization: Bearer <token>` (the token `jetdeck serve` prints). Every error is `{ "ok": false, "error": { "name", "code", "message", "detail"? } }`.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: jsonSchema(errorBody) },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
