import type { z } from 'zod';
import type {
  deadLetterMethods,
  dryRunInputSchema,
  EditDryRun,
  EditRetryResult,
  EditSample,
  GroupActionFailure,
  GroupDiscardResult,
  GroupRetryResult,
  groupSelectorSchema,
} from '../../../api/features/dead-letters';
import type { DeadLetter, PublishResult } from '../../../api/features/tasks';
import type { JsonPatch } from '../../../api/json-patch';
import { toApiError } from '../../errors';
import type { HandlersFor } from '../../router';
import type { TaskService } from '../service';
import { patchPayload } from './edit';
import { groupDeadLetters } from './groups';

type Selector = z.output<typeof groupSelectorSchema>;

/** Publishes in flight at once for a group action: enough to pipeline, bounded for 10k members. */
const CONCURRENCY = 32;
/** Patch failures reported by id (the count says how many in all). */
const MAX_SKIPPED = 20;

/** Runs `fn` over `items`, at most `limit` at a time, in order of start. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** A group's open members as they are now (resolved ones are never acted on again). */
function members(svc: TaskService, sel: Selector): Promise<DeadLetter[]> {
  return svc.deadLetters({ ...sel, includeResolved: false });
}

/** The payload as published: in the record, or read back from the stream for big bodies. */
async function payloadOf(svc: TaskService, d: DeadLetter): Promise<{ found: boolean; payload?: unknown }> {
  const task = d.task ?? (await svc.get(d.id)).task;
  return task ? { found: true, payload: task.payload } : { found: false };
}

export async function retryGroup(svc: TaskService, sel: Selector): Promise<GroupRetryResult> {
  const retried: PublishResult[] = [];
  const failed: GroupActionFailure[] = [];
  await eachLimited(await members(svc, sel), CONCURRENCY, async (d) => {
    try {
      retried.push(await svc.retry(d.id));
    } catch (err) {
      failed.push({ id: d.id, error: toApiError(err).message });
    }
  });
  return { retried, failed };
}

export async function discardGroup(svc: TaskService, sel: Selector): Promise<GroupDiscardResult> {
  const discarded: string[] = [];
  const failed: GroupActionFailure[] = [];
  await eachLimited(await members(svc, sel), CONCURRENCY, async (d) => {
    try {
      await svc.discardDeadLetter(d.id);
      discarded.push(d.id);
    } catch (err) {
      failed.push({ id: d.id, error: toApiError(err).message });
    }
  });
  return { discarded, failed };
}

/** Applies the patch to every member's payload without publishing; before/after for a sample. */
export async function dryRunEdit(
  svc: TaskService,
  input: z.output<typeof dryRunInputSchema>,
): Promise<EditDryRun> {
  const { patch, sample, ...sel } = input;
  const letters = await members(svc, sel);
  const samples: EditSample[] = [];
  const skipped: GroupActionFailure[] = [];
  let applicable = 0;
  let notApplicable = 0;
  await eachLimited(letters, CONCURRENCY, async (d) => {
    const s = await tryPatch(svc, d, patch);
    if (s.error === undefined) applicable++;
    else if (notApplicable++ < MAX_SKIPPED) skipped.push({ id: d.id, error: s.error });
    if (samples.length < sample) samples.push(s);
  });
  return { total: letters.length, applicable, skipped, samples };
}

async function tryPatch(svc: TaskService, d: DeadLetter, patch: JsonPatch): Promise<EditSample> {
  try {
    const { found, payload } = await payloadOf(svc, d);
    if (!found) return { id: d.id, type: d.type, before: null, error: 'no readable task message' };
    try {
      return { id: d.id, type: d.type, before: payload, after: patchPayload(payload, patch) };
    } catch (err) {
      return { id: d.id, type: d.type, before: payload, error: toApiError(err).message };
    }
  } catch (err) {
    return { id: d.id, type: d.type, before: null, error: toApiError(err).message };
  }
}

/**
 * Re-publishes every member whose payload the patch applies to as a new task with the patched
 * payload and `metadata.retry_of` (+ `retry_patch`); the others are skipped and stay dead letters.
 */
export async function editRetry(
  svc: TaskService,
  input: Selector & { patch: JsonPatch },
): Promise<EditRetryResult> {
  const { patch, ...sel } = input;
  const retried: PublishResult[] = [];
  const failed: GroupActionFailure[] = [];
  const skipped: GroupActionFailure[] = [];
  await eachLimited(await members(svc, sel), CONCURRENCY, async (d) => {
    const s = await tryPatch(svc, d, patch);
    if (s.error !== undefined) {
      skipped.push({ id: d.id, error: s.error });
      return;
    }
    try {
      retried.push(await svc.retry(d.id, { patch }));
    } catch (err) {
      failed.push({ id: d.id, error: toApiError(err).message });
    }
  });
  return { retried, failed, skipped };
}

export function deadLetterHandlers(svc: TaskService): HandlersFor<typeof deadLetterMethods> {
  return {
    'tasks.deadLetters.groups': async (i) => groupDeadLetters(await svc.deadLetters(i ?? {})),
    'tasks.deadLetters.retryGroup': (i) => retryGroup(svc, i),
    'tasks.deadLetters.discardGroup': (i) => discardGroup(svc, i),
    'tasks.deadLetters.dryRunEdit': (i) => dryRunEdit(svc, i),
    'tasks.deadLetters.editRetry': ({ confirm: _, ...i }) => editRetry(svc, i),
  };
}
