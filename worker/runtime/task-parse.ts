import { cancelSchema, isTaskId, isTaskType, taskSchema, type Task } from '../../api/task-wire';

const decoder = new TextDecoder();
const PLAIN_TASK_KEYS = new Set(['id', 'type', 'payload', 'created_at', 'priority', 'max_attempts']);

/**
 * The common task shape checked by hand, as taskSchema would accept it: zod costs several µs
 * per task. Anything else (metadata, unknown keys, a bad field) returns undefined and goes
 * through taskSchema, which copies, strips and explains errors.
 */
export function plainTask(v: unknown): Task | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const t = v as Record<string, unknown>;
  for (const k in t) if (!PLAIN_TASK_KEYS.has(k)) return undefined;
  if (typeof t.id !== 'string' || !isTaskId(t.id)) return undefined;
  if (typeof t.type !== 'string' || !isTaskType(t.type)) return undefined;
  if (typeof t.created_at !== 'string' || !('payload' in t)) return undefined;
  if (t.priority !== undefined && t.priority !== 'normal' && t.priority !== 'high') return undefined;
  const m = t.max_attempts;
  if (m !== undefined && !(typeof m === 'number' && Number.isInteger(m) && m >= 1 && m <= 100))
    return undefined;
  return t as Task;
}

/** The task in a message body; throws an Error that says what is wrong with it. */
export function parseTask(data: Uint8Array): Task {
  const value: unknown = JSON.parse(decoder.decode(data));
  const plain = plainTask(value);
  if (plain) return plain;
  const parsed = taskSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'task'}: ${i.message}`).join('; '));
}

/** The id of a cancel request, or undefined for anything else. */
export function parseCancel(data: Uint8Array): string | undefined {
  try {
    const r = cancelSchema.safeParse(JSON.parse(decoder.decode(data)));
    // A dead letter's discard is no cancellation: nothing runs under a failed task's id.
    return r.success && !r.data.discard ? r.data.id : undefined;
  } catch {
    return undefined;
  }
}

/** The JSON in a message body, or undefined when it is not JSON. */
export function jsonOrUndefined(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data)) as unknown;
  } catch {
    return undefined;
  }
}
