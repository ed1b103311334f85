import { z } from 'zod';

/**
 * JSON Patch (RFC 6902) over JSON Pointers (RFC 6901): the schema of a patch and a small applier.
 * No library for it is installed; this one is pure (the renderer may use it too) and never
 * mutates its input. A patch is atomic: the first operation that cannot apply (a missing path,
 * a failed `test`) fails the whole patch with a message naming the operation.
 */

const pointer = z
  .string()
  .max(1024)
  .refine((p) => p === '' || p.startsWith('/'), { message: 'a JSON pointer is "" or starts with "/"' })
  .refine((p) => !/~[^01]|~$/.test(p), { message: 'in a JSON pointer "~" is followed by 0 or 1' });

const value = z.unknown().refine((v) => v !== undefined, { message: 'value is required' });

export const jsonPatchOpSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('add'), path: pointer, value }),
  z.strictObject({ op: z.literal('remove'), path: pointer }),
  z.strictObject({ op: z.literal('replace'), path: pointer, value }),
  z.strictObject({ op: z.literal('move'), from: pointer, path: pointer }),
  z.strictObject({ op: z.literal('copy'), from: pointer, path: pointer }),
  z.strictObject({ op: z.literal('test'), path: pointer, value }),
]);
export type JsonPatchOp = z.infer<typeof jsonPatchOpSchema>;

/** At most 100 operations and 16 KB of JSON: a patch edits a payload, it does not replace data. */
export const jsonPatchSchema = z
  .array(jsonPatchOpSchema)
  .min(1, 'a patch has at least one operation')
  .max(100, 'a patch has at most 100 operations')
  .refine((p) => JSON.stringify(p).length <= 16_384, { message: 'a patch is at most 16 KB of JSON' });
export type JsonPatch = z.infer<typeof jsonPatchSchema>;

export class JsonPatchError extends Error {
  constructor(
    message: string,
    /** Index of the operation that failed. */
    readonly index: number,
  ) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

type Json = unknown;
type Container = Record<string, Json> | Json[];

/** "/a/b~1c" → ["a", "b/c"]. */
export function parsePointer(p: string): string[] {
  if (p === '') return [];
  return p
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const isContainer = (v: Json): v is Container => typeof v === 'object' && v !== null;
const isObject = (v: Json): v is Record<string, Json> => isContainer(v) && !Array.isArray(v);
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function arrayIndex(arr: Json[], token: string, forAdd: boolean): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new Error(`"${token}" is not an array index`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new Error(`index ${i} is out of bounds`);
  return i;
}

function get(doc: Json, tokens: string[]): Json {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false)];
    else if (isObject(cur) && own(cur, t)) cur = cur[t];
    else throw new Error(`no value at "${t}"`);
  }
  return cur;
}

/** The parent of the target, cloned along the path so the input is never mutated. */
function parentOf(root: { doc: Json }, tokens: string[]): Container {
  let holder: Container = root as unknown as Container;
  let key: string | number = 'doc';
  for (let i = 0; i < tokens.length; i++) {
    const cur = (holder as Record<string | number, Json>)[key];
    if (!isContainer(cur)) throw new Error(`no container at "${tokens.slice(0, i).join('/') || '/'}"`);
    const copy: Container = Array.isArray(cur) ? [...cur] : { ...cur };
    (holder as Record<string | number, Json>)[key] = copy;
    if (i === tokens.length - 1) return copy;
    const t = tokens[i];
    if (Array.isArray(copy)) key = arrayIndex(copy, t, false);
    else if (own(copy, t)) key = t;
    else throw new Error(`no value at "${t}"`);
    holder = copy;
  }
  throw new Error('the root has no parent');
}

function add(doc: Json, tokens: string[], v: Json): Json {
  if (!tokens.length) return v;
  const root = { doc };
  const parent = parentOf(root, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true), 0, v);
  else parent[last] = v;
  return root.doc;
}

function remove(doc: Json, tokens: string[]): Json {
  if (!tokens.length) throw new Error('cannot remove the whole document');
  const root = { doc };
  const parent = parentOf(root, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false), 1);
  else if (own(parent, last)) delete parent[last];
  else throw new Error(`no value at "${last}"`);
  return root.doc;
}

/** Replaces in place (keys keep their order): the target must exist. */
function replace(doc: Json, tokens: string[], v: Json): Json {
  if (!tokens.length) return v;
  get(doc, tokens);
  const root = { doc };
  const parent = parentOf(root, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent[arrayIndex(parent, last, false)] = v;
  else parent[last] = v;
  return root.doc;
}

export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => own(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

const clone = (v: Json): Json => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as Json));

/** Applies `patch` to `doc` and returns the new document; throws JsonPatchError. */
export function applyJsonPatch(doc: Json, patch: readonly JsonPatchOp[]): Json {
  let cur = doc;
  patch.forEach((op, i) => {
    try {
      const path = parsePointer(op.path);
      switch (op.op) {
        case 'add':
          cur = add(cur, path, clone(op.value));
          break;
        case 'remove':
          cur = remove(cur, path);
          break;
        case 'replace':
          cur = replace(cur, path, clone(op.value));
          break;
        case 'move': {
          if (op.path !== op.from && op.path.startsWith(`${op.from}/`))
            throw new Error('cannot move a value into itself');
          const from = parsePointer(op.from);
          const v = get(cur, from);
          cur = add(remove(cur, from), path, v);
          break;
        }
        case 'copy':
          cur = add(cur, path, clone(get(cur, parsePointer(op.from))));
          break;
        case 'test':
          if (!jsonEqual(get(cur, path), op.value)) throw new Error('the value differs');
          break;
      }
    } catch (err) {
      const where = op.op === 'move' || op.op === 'copy' ? `${op.from} → ${op.path}` : op.path || '(root)';
      throw new JsonPatchError(`operation ${i + 1} (${op.op} ${where}): ${(err as Error).message}`, i);
    }
  });
  return cur;
}
