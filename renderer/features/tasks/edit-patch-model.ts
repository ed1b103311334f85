import { jsonPatchSchema, type JsonPatch } from '../../../api/json-patch';
import { checkJson } from '../../ui/json-check';

export type PatchCheck = { ok: true; patch: JsonPatch } | { ok: false; message: string };

/** The patch text as the contract will see it: JSON first, then the contract's own schema. */
export function checkPatch(text: string): PatchCheck {
  const json = checkJson(text);
  if (!json.ok) return { ok: false, message: json.message };
  const r = jsonPatchSchema.safeParse(json.value);
  if (r.success) return { ok: true, patch: r.data };
  const issue = r.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
  return { ok: false, message: `${where}${issue.message}` };
}

/** A starting patch from a payload of the group: replace its first field with its own value. */
export function starterPatch(payload: unknown): string {
  const first =
    payload && typeof payload === 'object' && !Array.isArray(payload)
      ? Object.entries(payload as Record<string, unknown>)[0]
      : undefined;
  const op = first
    ? { op: 'replace', path: `/${first[0].replace(/~/g, '~0').replace(/\//g, '~1')}`, value: first[1] }
    : { op: 'replace', path: '', value: payload ?? null };
  return JSON.stringify([op], null, 2);
}
