import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinHandlers } from './builtin';
import type { HandlerMap } from './types';
import { ApiError } from '../../api/errors';
import { isTaskType } from '../../api/task-wire';

/**
 * Loads a user handler module: its default export maps task type → async (task, ctx) => result.
 * The result is merged over the built-ins (a user `echo` wins). `.ts` modules load wherever tsx (a
 * dev dependency) is installed: under tsx already, or through its scoped `tsImport`, so the built
 * CLI takes them in a source checkout too; the packaged app loads `.js`/`.mjs`/`.cjs`.
 */
/** A handlers module that cannot be used: bad input, whoever asked (thrown typed at the source). */
export class HandlerModuleError extends ApiError {
  constructor(message: string) {
    super('invalid_input', message, undefined, 'HandlerModuleError');
  }
}

export async function loadHandlerModule(path: string, cwd = process.cwd()): Promise<HandlerMap> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new HandlerModuleError(`handlers module not found: ${file}`);
  const ext = extname(file);
  if (!['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'].includes(ext)) {
    throw new HandlerModuleError(
      `handlers module must be .js, .mjs, .cjs or .ts (got ${ext || 'no extension'}): ${file}`,
    );
  }
  let mod: { default?: unknown };
  try {
    mod = await importModule(file, ext);
  } catch (err) {
    const hint = ext.endsWith('ts')
      ? ' (TypeScript modules need the tsx loader; use a .js module in the packaged app)'
      : '';
    throw new HandlerModuleError(`cannot load handlers module ${file}: ${(err as Error).message}${hint}`);
  }
  return validateHandlerMap(mod.default, file);
}

async function importModule(file: string, ext: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as { default?: unknown };
  } catch (err) {
    // Not under tsx: where tsx is installed, import the TS module through its scoped loader.
    const unknownExt = (err as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION';
    if (!unknownExt || !ext.endsWith('ts')) throw err;
    const tsx = await import('tsx/esm/api').catch(() => undefined);
    if (!tsx) throw err;
    return (await tsx.tsImport(url, import.meta.url)) as { default?: unknown };
  }
}

export function validateHandlerMap(value: unknown, where = 'handlers module'): HandlerMap {
  // A CJS module imported as ESM nests `module.exports` under default.
  if (isObject(value) && isObject(value.default) && Object.keys(value).length === 1) value = value.default;
  if (!isObject(value)) {
    throw new HandlerModuleError(
      `${where}: the default export must be an object mapping task type to a function, got ${describe(value)}`,
    );
  }
  const out: HandlerMap = {};
  const problems: string[] = [];
  for (const [type, fn] of Object.entries(value)) {
    if (!isTaskType(type))
      problems.push(`"${type}" is not a valid task type (letters, digits, _ and - only)`);
    else if (typeof fn !== 'function') problems.push(`"${type}" is not a function (got ${describe(fn)})`);
    else out[type] = fn as HandlerMap[string];
  }
  if (problems.length) throw new HandlerModuleError(`${where}: ${problems.join('; ')}`);
  if (Object.keys(out).length === 0)
    throw new HandlerModuleError(`${where}: the default export has no handlers`);
  return out;
}

/** Built-ins, overridden by the module's handlers when a path is given. */
export async function resolveHandlers(path?: string): Promise<HandlerMap> {
  if (!path) return { ...builtinHandlers };
  return { ...builtinHandlers, ...(await loadHandlerModule(path)) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}
