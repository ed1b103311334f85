import { z } from 'zod';
import {
  dryRunInputSchema,
  editRetryInputSchema,
  fingerprintSchema,
  groupSelectorSchema,
  type DeadLetterGroups,
  type EditDryRun,
  type EditRetryResult,
  type GroupDiscardResult,
  type GroupRetryResult,
} from '../../../api/features/dead-letters';
import { deadLetterFilterSchema, type DeadLetter } from '../../../api/features/tasks';
import { viewNameSchema } from '../../../api/features/views';
import { taskSchema } from '../../../api/task-wire';
import type { RestOperation } from '../rest-routes';
import { discardGroup, dryRunEdit, editRetry, retryGroup } from './actions';
import { groupDeadLetters } from './groups';

/** The dead-letter routes of the REST API; same schemas as the contract, fingerprint in the path. */

const bool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

export const deadLetterQuery = z.strictObject({
  ...deadLetterFilterSchema.omit({ includeResolved: true }).shape,
  include_resolved: bool.optional(),
  /** A saved view's filter (views.save); parameters given beside it win. */
  view: viewNameSchema.optional(),
});
const groupsQuery = deadLetterQuery.omit({ fingerprint: true, view: true });
const fingerprintParams = z.strictObject({ fingerprint: fingerprintSchema });
const selectorBody = groupSelectorSchema.omit({ fingerprint: true }).optional();
const idParams = z.strictObject({ id: taskSchema.shape.id });

const publishResultSchema = z.object({
  task: taskSchema,
  seq: z.number().int(),
  subject: z.string(),
  duplicate: z.boolean(),
});
const failureSchema = z.object({ id: z.string(), error: z.string() });

export const deadLetterSchema = z.object({
  id: z.string(),
  type: z.string(),
  seq: z.number().int(),
  task: taskSchema.optional(),
  reason: z.enum(['max_deliveries', 'terminated', 'failed']),
  attempts: z.number().int(),
  errors: z.array(
    z.object({
      attempt: z.number().int(),
      at: z.string(),
      worker: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
  last_error: z.string().optional(),
  failed_at: z.string(),
  retried_as: z.array(z.string()).optional(),
  discarded: z.boolean().optional(),
  fingerprint: z.string(),
}) satisfies z.ZodType<DeadLetter>;

export const deadLetterGroupsSchema = z.object({
  groups: z.array(
    z.object({
      fingerprint: z.string(),
      message: z.string(),
      example: z.string(),
      count: z.number().int(),
      first_seen: z.string(),
      last_seen: z.string(),
      types: z.array(z.object({ type: z.string(), count: z.number().int() })),
      reasons: z.partialRecord(z.enum(['max_deliveries', 'terminated', 'failed']), z.number().int()),
      ids: z.array(z.string()),
    }),
  ),
  total: z.number().int(),
  truncated: z.boolean(),
}) satisfies z.ZodType<DeadLetterGroups>;

export const groupRetrySchema = z.object({
  retried: z.array(publishResultSchema),
  failed: z.array(failureSchema),
}) satisfies z.ZodType<GroupRetryResult>;

export const groupDiscardSchema = z.object({
  discarded: z.array(z.string()),
  failed: z.array(failureSchema),
}) satisfies z.ZodType<GroupDiscardResult>;

export const editRetrySchema = groupRetrySchema.extend({
  skipped: z.array(failureSchema),
}) satisfies z.ZodType<EditRetryResult>;

export const dryRunSchema = z.object({
  total: z.number().int(),
  applicable: z.number().int(),
  skipped: z.array(failureSchema),
  samples: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      before: z.unknown(),
      after: z.unknown().optional(),
      error: z.string().optional(),
    }),
  ),
}) satisfies z.ZodType<EditDryRun>;

const err = (description: string) => ({ description });
const groupErrors = {
  '400': err('Invalid fingerprint or body'),
};

type Query = z.output<typeof deadLetterQuery>;
const toFilter = ({ include_resolved, view: _view, ...f }: Query) => ({
  ...f,
  includeResolved: include_resolved,
});

export const DEAD_LETTER_OPERATIONS: RestOperation[] = [
  {
    method: 'get',
    path: '/api/dead-letters',
    operationId: 'listDeadLetters',
    summary: 'Dead letters (tasks that ended failed), newest failure first',
    description:
      'Open ones only unless include_resolved=true; narrowed by type, id substring (q) or error fingerprint. view=<name> applies a saved dead-letter view (views.save); parameters given beside it win.',
    query: deadLetterQuery,
    view: 'deadLetters',
    responses: {
      '200': {
        description: 'The dead letters',
        schema: z.object({ dead_letters: z.array(deadLetterSchema) }),
      },
      '400': err('Invalid query'),
    },
    handler: async (svc, { query }) => ({ dead_letters: await svc.deadLetters(toFilter(query as Query)) }),
  },
  {
    method: 'get',
    path: '/api/dead-letters/groups',
    operationId: 'groupDeadLetters',
    summary: 'Dead letters grouped by error fingerprint',
    description:
      'The error message with ids, numbers, paths, uuids, times and addresses normalised; per group the count, first/last seen, types and reasons. The largest 200 groups.',
    query: groupsQuery,
    responses: {
      '200': { description: 'The groups', schema: deadLetterGroupsSchema },
      '400': err('Invalid query'),
    },
    handler: async (svc, { query }) => groupDeadLetters(await svc.deadLetters(toFilter(query as Query))),
  },
  {
    method: 'post',
    path: '/api/dead-letters/groups/{fingerprint}/retry',
    operationId: 'retryDeadLetterGroup',
    summary: 'Re-publish every open dead letter of a group as a new task (metadata.retry_of)',
    params: fingerprintParams,
    body: selectorBody,
    responses: { '200': { description: 'Retried', schema: groupRetrySchema }, ...groupErrors },
    handler: (svc, { params, body }) =>
      retryGroup(svc, { ...(body as z.output<typeof selectorBody>), fingerprint: params.fingerprint }),
  },
  {
    method: 'post',
    path: '/api/dead-letters/groups/{fingerprint}/discard',
    operationId: 'discardDeadLetterGroup',
    summary: 'Discard every open dead letter of a group (they keep their failed state)',
    params: fingerprintParams,
    body: selectorBody,
    responses: { '200': { description: 'Discarded', schema: groupDiscardSchema }, ...groupErrors },
    handler: (svc, { params, body }) =>
      discardGroup(svc, { ...(body as z.output<typeof selectorBody>), fingerprint: params.fingerprint }),
  },
  {
    method: 'post',
    path: '/api/dead-letters/groups/{fingerprint}/dry-run',
    operationId: 'dryRunDeadLetterEdit',
    summary: 'Apply a JSON patch (RFC 6902) to every payload of a group without publishing',
    description:
      'Says to how many payloads it applies, why not for the others, and shows before/after for a sample.',
    params: fingerprintParams,
    body: dryRunInputSchema.omit({ fingerprint: true }),
    responses: { '200': { description: 'The dry run', schema: dryRunSchema }, ...groupErrors },
    handler: (svc, { params, body }) =>
      dryRunEdit(svc, {
        ...(body as z.output<typeof dryRunInputSchema>),
        fingerprint: params.fingerprint,
      }),
  },
  {
    method: 'post',
    path: '/api/dead-letters/groups/{fingerprint}/edit-retry',
    operationId: 'editRetryDeadLetterGroup',
    summary: 'Patch every payload of a group and re-publish them as new linked tasks',
    description:
      'Each new task has the patched payload and metadata.retry_of (and retry_patch); payloads the patch does not apply to are skipped and stay dead letters. Requires confirm: true.',
    params: fingerprintParams,
    body: editRetryInputSchema.omit({ fingerprint: true }),
    responses: { '200': { description: 'Re-published', schema: editRetrySchema }, ...groupErrors },
    handler: (svc, { params, body }) => {
      const { confirm: _, ...b } = body as z.output<typeof editRetryInputSchema>;
      return editRetry(svc, { ...b, fingerprint: params.fingerprint });
    },
  },
  {
    method: 'post',
    path: '/api/dead-letters/{id}/retry',
    operationId: 'retryDeadLetter',
    summary: 'Re-publish one dead letter as a new task (metadata.retry_of)',
    params: idParams,
    responses: {
      '200': { description: 'Retried', schema: publishResultSchema },
      '400': err('Invalid id'),
      '404': err('Unknown id'),
      '409': err('Not a dead letter'),
    },
    handler: (svc, { params }) => svc.retryDeadLetter(params.id),
  },
  {
    method: 'post',
    path: '/api/dead-letters/{id}/discard',
    operationId: 'discardDeadLetter',
    summary: 'Discard one dead letter (it keeps its failed state)',
    params: idParams,
    responses: {
      '200': { description: 'Discarded', schema: z.object({ discarded: z.boolean() }) },
      '400': err('Invalid id'),
      '404': err('Unknown id'),
      '409': err('Not a dead letter'),
    },
    handler: (svc, { params }) => svc.discardDeadLetter(params.id),
  },
];
