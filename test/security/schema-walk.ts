import type { z } from 'zod';

/**
 * Walks the contract's zod schemas (zod 4 keeps each schema's definition in `_zod.def`) to
 * build a valid sample input per method and to find every object that silently drops unknown
 * keys. Test-only: production code never looks inside a schema.
 */

type Def = { type: string } & Record<string, unknown>;
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const schemaOf = (v: unknown) => v as z.ZodType;

export type Path = (string | number)[];

// 'FUZZ' first: names then point at the test's real stream, so an input that wrongly passes
// validation would act on real messages and the state check would catch it.
const STRINGS = [
  'FUZZ',
  'a',
  'abc',
  'echo',
  'S1',
  'tasks.new',
  'tasks.>',
  'a1',
  'handlers.mjs',
  'nats://127.0.0.1:4222',
  'http://127.0.0.1:8222',
  '2026-01-01T00:00:00Z',
  '2026-01-01T00:00:00.000Z',
  '1',
  'aaaaaaaa',
  'a'.repeat(32),
  '0123456789ab',
  '/a',
];
const NUMBERS = [1, 2, 0, 100, 1000, 250, 30_000, 0.5, 65_535, 1_000_000_000];

/** A leaf of a sample: where it is and the schema it must satisfy. */
export interface Leaf {
  path: Path;
  schema: z.ZodType;
}

export interface Sample {
  value: unknown;
  leaves: Leaf[];
  /** Paths of objects in the sample, with whether they accept unknown keys. */
  objects: { path: Path; loose: boolean }[];
}

function first<T>(xs: readonly T[], schema: z.ZodType): T | undefined {
  return xs.find((x) => schema.safeParse(x).success);
}

/** Schema kinds that wrap one inner schema (at `innerType`) and accept what it accepts, or more. */
const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

/**
 * A value the schema accepts (undefined when no candidate fits), recording each leaf's schema.
 * `withOptional` includes optional fields (exercised by the mutations) where it can.
 */
export function sample(schema: z.ZodType, withOptional = true): Sample | undefined {
  const leaves: Leaf[] = [];
  const objects: Sample['objects'] = [];
  const NONE = Symbol('none');

  /** `outer`: the outermost schema at this path (wrappers and unions included), which judges junk. */
  function walk(s: z.ZodType, path: Path, depth: number, outer: z.ZodType = s): unknown {
    if (depth > 12) return NONE;
    const d = defOf(s);
    const leaf = (v: unknown) => {
      if (v === undefined) return NONE;
      leaves.push({ path, schema: outer });
      return v;
    };
    // Containers are leaves too: junk may replace a whole array or object (`seqs: []`).
    const node = (v: unknown) => {
      if (v !== NONE) leaves.push({ path, schema: outer });
      return v;
    };
    if (WRAPPERS.has(d.type)) return walk(schemaOf(d.innerType), path, depth, outer);
    switch (d.type) {
      case 'string':
        return leaf(first(STRINGS, s));
      case 'number':
      case 'int':
        return leaf(first(NUMBERS, s));
      case 'boolean':
        return leaf(false);
      case 'literal':
        return leaf((d.values as unknown[])[0]);
      case 'enum':
        return leaf(Object.values(d.entries as Record<string, unknown>)[0]);
      case 'null':
        return leaf(null);
      case 'unknown':
      case 'any':
        return leaf(first([{ a: 1 }, 'x', 1], s));
      case 'pipe':
        return walk(schemaOf(d.in), path, depth, outer);
      case 'lazy':
        return walk((d.getter as () => z.ZodType)(), path, depth, outer);
      case 'array': {
        const el = walk(schemaOf(d.element), [...path, 0], depth + 1);
        if (el === NONE) return NONE;
        return node([el]);
      }
      case 'tuple': {
        const items = (d.items as z.ZodType[]).map((it, i) => walk(it, [...path, i], depth + 1));
        return items.includes(NONE) ? NONE : items;
      }
      case 'record': {
        const key = first(['k1', 'a', 'Key-1'], schemaOf(d.keyType)) ?? 'k1';
        const v = walk(schemaOf(d.valueType), [...path, key], depth + 1);
        return v === NONE ? NONE : node({ [key]: v });
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        const catchall = d.catchall as z.ZodType | undefined;
        objects.push({ path, loose: catchall !== undefined && defOf(catchall).type !== 'never' });
        for (const [k, child] of Object.entries(d.shape as Record<string, z.ZodType>)) {
          const optional = child.safeParse(undefined).success;
          if (optional && !withOptional) continue;
          const mark = leaves.length;
          const markObj = objects.length;
          const v = walk(child, [...path, k], depth + 1);
          if (v === NONE) {
            leaves.length = mark;
            objects.length = markObj;
            if (optional) continue;
            return NONE;
          }
          out[k] = v;
        }
        // Refinements across fields ("exactly one of content or file"): drop optional fields until it fits.
        for (const [k, child] of Object.entries(d.shape as Record<string, z.ZodType>)) {
          if (s.safeParse(out).success) break;
          if (!(k in out) || !child.safeParse(undefined).success) continue;
          const { [k]: _dropped, ...rest } = out;
          if (!s.safeParse(rest).success) continue;
          delete out[k];
          const under = (p: Path) =>
            p.length > path.length && p[path.length] === k && path.every((x, i) => p[i] === x);
          for (let i = leaves.length - 1; i >= 0; i--) if (under(leaves[i]!.path)) leaves.splice(i, 1);
          for (let i = objects.length - 1; i >= 0; i--) if (under(objects[i]!.path)) objects.splice(i, 1);
        }
        return node(out);
      }
      case 'union': {
        for (const opt of d.options as z.ZodType[]) {
          const mark = leaves.length;
          const markObj = objects.length;
          const v = walk(opt, path, depth, outer);
          if (v !== NONE && opt.safeParse(v).success) return v;
          leaves.length = mark;
          objects.length = markObj;
        }
        return NONE;
      }
      case 'intersection': {
        const a = walk(schemaOf(d.left), path, depth);
        const b = walk(schemaOf(d.right), path, depth);
        if (a === NONE || b === NONE) return NONE;
        return { ...(a as object), ...(b as object) };
      }
      default:
        return NONE;
    }
  }

  const value = walk(schema, [], 0);
  if (value === NONE || !schema.safeParse(value).success) {
    return withOptional ? sample(schema, false) : undefined;
  }
  return { value, leaves, objects };
}

/** Objects (by path) that would silently drop an unknown key: neither strict nor explicitly loose. */
export function strippingObjects(schema: z.ZodType): string[] {
  const found: string[] = [];
  const seen = new Set<unknown>();
  function walk(s: z.ZodType, path: string): void {
    if (seen.has(s)) return;
    seen.add(s);
    const d = defOf(s);
    const inner = (k: string) => walk(schemaOf(d[k]), path);
    if (WRAPPERS.has(d.type)) return inner('innerType');
    switch (d.type) {
      case 'object':
        if (d.catchall === undefined) found.push(path || '(input)');
        for (const [k, c] of Object.entries(d.shape as Record<string, z.ZodType>)) walk(c, `${path}.${k}`);
        return;
      case 'pipe':
        inner('in');
        return inner('out');
      case 'array':
        return walk(schemaOf(d.element), `${path}[]`);
      case 'record':
        return walk(schemaOf(d.valueType), `${path}{}`);
      case 'tuple':
        return (d.items as z.ZodType[]).forEach((it, i) => walk(it, `${path}[${i}]`));
      case 'union':
        return (d.options as z.ZodType[]).forEach((o) => walk(o, path));
      case 'intersection':
        inner('left');
        return inner('right');
      case 'lazy':
        return walk((d.getter as () => z.ZodType)(), path);
    }
  }
  walk(schema, '');
  return found;
}

export function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  return copy;
}

export function getAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const k of path) cur = (cur as Record<string | number, unknown>)[k];
  return cur;
}

/** Values that are wrong for most fields: the shapes the review sent. */
export const JUNK: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  '1,2',
  'x'.repeat(5000),
  '../../etc/passwd',
  '/etc/shadow',
  '\u0000',
  [],
  ['1', '2'],
  [0],
  [1.5],
  {},
  { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
];

/** `levels` nested arrays (for depth limits). */
export function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}
