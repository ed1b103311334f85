import type { z } from 'zod';
import {
  bulkInputSchema,
  publishInputSchema,
  type PublishInput,
  type TASK_PRIORITIES,
  type TASK_ROUTES,
} from '../../../api/features/tasks';
import { fieldErrors, type FormIssue } from '../../ui/form-issues';
import { checkJson } from '../../ui/json-check';

/** The publish form's text fields; every rule comes from the contract's schemas. */
export interface HeaderRow {
  key: string;
  value: string;
}

export interface PublishFormValues {
  type: string;
  payload: string;
  id: string;
  headers: HeaderRow[];
  priority: (typeof TASK_PRIORITIES)[number];
  route: (typeof TASK_ROUTES)[number];
  count: string;
  rate: string;
  maxAttempts: string;
  /** Empty: now. A delay ("5m", "1h30m", ms) or an ISO time: the task waits in the scheduled lane. */
  when: string;
}

export const INITIAL_PUBLISH_FORM: PublishFormValues = {
  type: 'echo',
  payload: '{\n  "hello": "world"\n}',
  id: '',
  headers: [],
  priority: 'normal',
  route: 'default',
  count: '1',
  rate: '',
  maxAttempts: '',
  when: '',
};

export type PublishField = 'type' | 'payload' | 'id' | 'headers' | 'count' | 'rate' | 'maxAttempts' | 'when';
export type PublishErrors = Partial<Record<PublishField, string>>;

export type PublishCall =
  | { method: 'tasks.publish'; input: PublishInput }
  | { method: 'tasks.publishBulk'; input: z.output<typeof bulkInputSchema> };

/** Contract field (first element of a zod issue path) → the form field that shows it. */
const FIELD_OF: Record<string, PublishField> = {
  type: 'type',
  payload: 'payload',
  id: 'id',
  idPrefix: 'id',
  headers: 'headers',
  count: 'count',
  ratePerSec: 'rate',
  max_attempts: 'maxAttempts',
  run_at: 'when',
  delay: 'when',
};

/** Maps a zod issue path (from the schema here or from the server's invalid_input) to a field. */
export function publishFieldOf(path: readonly PropertyKey[]): PublishField | undefined {
  return FIELD_OF[String(path[0])];
}

/** Issues (local or the server's) on their fields; a header's name says which header. */
export function publishFieldErrors(issues: readonly FormIssue[]): PublishErrors {
  return fieldErrors(
    issues,
    (path) => publishFieldOf(path) ?? 'type',
    (i) =>
      i.path[0] === 'headers' && i.path.length > 1 ? `"${String(i.path[1])}": ${i.message}` : i.message,
  );
}

const optionalNumber = (s: string) => (s.trim() ? Number(s) : undefined);

/** "When" as the contract takes it: digits are milliseconds, a unit text a delay, else a time. */
export function whenInput(when: string): { delay?: number | string; run_at?: string } {
  const w = when.trim();
  if (!w) return {};
  if (/^\d+$/.test(w)) return { delay: Number(w) };
  if (/^(\d+(ms|s|m|h|d))+$/.test(w)) return { delay: w };
  return { run_at: w };
}

/**
 * Builds the call the form stands for and checks it with the schema the core will apply, so a
 * mistake shows on its field before any call. With count > 1 the id is a prefix
 * (`<prefix>-1 … <prefix>-N`) and the call is a bulk publish.
 */
export function validatePublishForm(f: PublishFormValues): { errors: PublishErrors; call?: PublishCall } {
  const errors: PublishErrors = {};
  const payload = checkJson(f.payload);
  if (!payload.ok) errors.payload = `line ${payload.line}, column ${payload.column}: ${payload.message}`;
  const headers: Record<string, string> = {};
  for (const h of f.headers) if (h.key.trim() || h.value) headers[h.key.trim()] = h.value;
  const id = f.id.trim() || undefined;
  const one = {
    type: f.type.trim(),
    payload: payload.ok ? payload.value : null,
    priority: f.priority,
    route: f.route,
    max_attempts: optionalNumber(f.maxAttempts),
    headers: Object.keys(headers).length ? headers : undefined,
  };
  const count = Number(f.count);
  let call: PublishCall | undefined;
  let issues: z.ZodError['issues'] = [];
  if (f.when.trim() && count !== 1) errors.when = 'a scheduled publish is one task (count 1)';
  if (count === 1) {
    const r = publishInputSchema.safeParse({ ...one, id, ...whenInput(f.when) });
    if (r.success) call = { method: 'tasks.publish', input: r.data };
    else issues = r.error.issues;
  } else {
    const r = bulkInputSchema.safeParse({ ...one, count, ratePerSec: optionalNumber(f.rate), idPrefix: id });
    if (r.success) call = { method: 'tasks.publishBulk', input: r.data };
    else issues = r.error.issues;
  }
  Object.assign(errors, { ...publishFieldErrors(issues), ...errors });
  return Object.values(errors).some(Boolean) ? { errors } : { errors, call };
}
