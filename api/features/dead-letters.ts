import { z } from 'zod';
import { method } from '../define';
import { jsonPatchSchema } from '../json-patch';
import { deadLetterFilterSchema, type DeadLetter, type PublishResult } from './tasks';

/**
 * Dead letters grouped by error fingerprint, and what can be done to a whole group: retry,
 * discard, or edit every payload with a JSON patch (dry run first) and re-publish as new tasks
 * linked by `metadata.retry_of`. A group is named by its fingerprint (12 hex characters of the
 * normalised error message); group actions act on the group's open dead letters as they are when
 * the call is made, narrowed by the same filter the list takes (type, id substring).
 */

export const fingerprintSchema = deadLetterFilterSchema.shape.fingerprint.unwrap();

export const deadLetterGroupsInput = deadLetterFilterSchema;

/** One group: its members are the (open, unless asked) dead letters matching the filter. */
export const groupSelectorSchema = deadLetterFilterSchema
  .omit({ includeResolved: true })
  .extend({ fingerprint: fingerprintSchema });

export const dryRunInputSchema = groupSelectorSchema.extend({
  patch: jsonPatchSchema,
  /** How many before/after pairs to show (every member is still checked). */
  sample: z.number().int().min(1).max(20).default(3),
});

export const editRetryInputSchema = groupSelectorSchema.extend({
  patch: jsonPatchSchema,
  confirm: z.literal(true, { message: 'confirm: true is required to re-publish the group' }),
});

export interface DeadLetterGroup {
  fingerprint: string;
  /** The error with ids, numbers, paths, uuids, times and addresses replaced by placeholders. */
  message: string;
  /** One real error of the group (the newest). */
  example: string;
  count: number;
  first_seen: string;
  last_seen: string;
  /** Task types in the group, most frequent first. */
  types: { type: string; count: number }[];
  reasons: Partial<Record<DeadLetter['reason'], number>>;
  /** Ids of the newest members (at most 20). */
  ids: string[];
}

export interface DeadLetterGroups {
  groups: DeadLetterGroup[];
  /** Dead letters grouped (open ones, plus resolved ones when asked). */
  total: number;
  /** More groups than the cap (200): the smallest were left out. */
  truncated: boolean;
}

export interface GroupActionFailure {
  id: string;
  error: string;
}

export interface GroupRetryResult {
  retried: PublishResult[];
  failed: GroupActionFailure[];
}

export interface GroupDiscardResult {
  discarded: string[];
  failed: GroupActionFailure[];
}

export interface EditSample {
  id: string;
  type: string;
  before: unknown;
  /** Absent when the patch does not apply to this payload (see error). */
  after?: unknown;
  error?: string;
}

export interface EditDryRun {
  /** Members of the group checked. */
  total: number;
  /** Payloads the patch applies to (the others would be skipped and stay dead letters). */
  applicable: number;
  /** Why the patch does not apply, for the first few that it does not. */
  skipped: GroupActionFailure[];
  samples: EditSample[];
}

export interface EditRetryResult extends GroupRetryResult {
  /** Members the patch does not apply to: not re-published, still dead letters. */
  skipped: GroupActionFailure[];
}

export const deadLetterMethods = {
  'tasks.deadLetters.groups': method(deadLetterGroupsInput.optional()).returns<DeadLetterGroups>(),
  'tasks.deadLetters.retryGroup': method(groupSelectorSchema).returns<GroupRetryResult>(),
  'tasks.deadLetters.discardGroup': method(groupSelectorSchema).returns<GroupDiscardResult>(),
  'tasks.deadLetters.dryRunEdit': method(dryRunInputSchema).returns<EditDryRun>(),
  'tasks.deadLetters.editRetry': method(editRetryInputSchema).returns<EditRetryResult>(),
};
