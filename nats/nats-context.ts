import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';

/**
 * The `nats` CLI's contexts as it stores them (jsm.go natscontext):
 * `$XDG_CONFIG_HOME/nats/context/<name>.json` (default `~/.config/nats`), the selected one named
 * in `nats/context.txt`. Only the fields JetDeck can use; the rest (color_scheme, socks_proxy,
 * Windows cert store...) is ignored.
 */
export const natsContextSchema = z.object({
  description: z.string().optional(),
  url: z.string().optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  token: z.string().optional(),
  creds: z.string().optional(),
  /** Path to a file holding the user's NKey seed. */
  nkey: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
  ca: z.string().optional(),
  tls_first: z.boolean().optional(),
  jetstream_domain: z.string().optional(),
  inbox_prefix: z.string().optional(),
  user_jwt: z.string().optional(),
  user_seed: z.string().optional(),
});
export type NatsContext = z.infer<typeof natsContextSchema>;

export function defaultContextDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'nats', 'context');
}

/** The context `nats context select` chose (`<dir>/../context.txt`), if any. */
export function selectedContext(dir: string): string | undefined {
  try {
    return readFileSync(join(dirname(dir), 'context.txt'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `~` and `$VAR` / `${VAR}` in a path, as natscontext expands path fields. */
export function expandPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  const p = path.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => env[a ?? b ?? ''] ?? '');
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

/** Reads one context file; throws with the reason (unreadable, not JSON, wrong shape). */
export function readContextFile(file: string, env: NodeJS.ProcessEnv = process.env): NatsContext {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`not a readable JSON file: ${(err as Error).message}`, { cause: err });
  }
  const parsed = natsContextSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`not a nats context: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const c = parsed.data;
  for (const k of ['creds', 'nkey', 'cert', 'key', 'ca'] as const) {
    const v = c[k];
    if (v) c[k] = expandPath(v, env);
  }
  return c;
}

/**
 * A context by name (`<dir>/<name>.json`) or by path (a name ending in .json), as
 * `nats --context` takes it. Throws "unknown context" when there is no such file.
 */
export function loadContext(
  nameOrPath: string,
  dir = defaultContextDir(),
  env: NodeJS.ProcessEnv = process.env,
): { name: string; context: NatsContext; file: string } {
  const isPath = nameOrPath.endsWith('.json') && (isAbsolute(nameOrPath) || nameOrPath.includes('/'));
  if (!isPath && !/^[\w.-]+$/.test(nameOrPath))
    throw new Error(`invalid context name "${nameOrPath}" (letters, digits, _ . - only)`);
  const file = isPath ? nameOrPath : join(dir, `${nameOrPath}.json`);
  if (!existsSync(file)) throw new Error(`unknown context "${nameOrPath}" (no ${file})`);
  try {
    return { name: nameOrPath, context: readContextFile(file, env), file };
  } catch (err) {
    throw new Error(`context "${nameOrPath}" (${file}): ${(err as Error).message}`, { cause: err });
  }
}

/** The user seed (SU...) in an NKey seed file. */
export function readSeedFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(expandPath(path), 'utf8');
  } catch (err) {
    throw new Error(`cannot read the nkey seed file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const seed = /\bSU[A-Z2-7]{50,}\b/.exec(text)?.[0];
  if (!seed) throw new Error(`the nkey file ${path} holds no user seed (SU...)`);
  return seed;
}

/** A user JWT and its seed in the creds-file format nats.js's credsAuthenticator reads. */
export function credsText(jwt: string, seed: string): string {
  return [
    '-----BEGIN NATS USER JWT-----',
    jwt.trim(),
    '------END NATS USER JWT------',
    '',
    '-----BEGIN USER NKEY SEED-----',
    seed.trim(),
    '------END USER NKEY SEED------',
    '',
  ].join('\n');
}
