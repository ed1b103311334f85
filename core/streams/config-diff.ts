import type { FieldChange } from '../../api/features/streams';

/** Fields the server refuses to change on an existing stream. */
const IMMUTABLE_STREAM_FIELDS = new Set(['name', 'storage', 'mirror', 'first_seq']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Field-by-field diff of two config objects: nested objects recurse (dotted paths), arrays and
 * scalars compare as whole values.
 */
export function diffConfigs(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  prefix = '',
): FieldChange[] {
  const out: FieldChange[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const k of keys) {
    const path = prefix ? `${prefix}.${k}` : k;
    const a = before[k];
    const b = after[k];
    if (a === undefined && b === undefined) continue;
    if (isPlainObject(a) && isPlainObject(b)) {
      out.push(...diffConfigs(a, b, path));
      continue;
    }
    if (sameValue(a, b)) continue;
    const kind: FieldChange['kind'] = a === undefined ? 'added' : b === undefined ? 'removed' : 'changed';
    const change: FieldChange = { path, kind, before: a, after: b };
    if (!prefix && IMMUTABLE_STREAM_FIELDS.has(k)) change.immutable = true;
    out.push(change);
  }
  return out;
}

/**
 * An edit may carry only the changed fields (the form) or the whole config (the JSON editor):
 * either way the server needs the complete config, so top-level fields given replace the
 * current ones and the rest are kept.
 */
export function mergeConfig<T extends Record<string, unknown>>(current: T, edit: Record<string, unknown>): T {
  const merged: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(edit)) {
    if (v === undefined) continue;
    merged[k] = v;
  }
  return merged as T;
}
