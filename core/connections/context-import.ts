import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import {
  profileInputSchema,
  type AuthInput,
  type ConnectionProfile,
  type ImportResult,
} from '../../api/features/connections';
import type { Core } from '../core';
import { formatZodError } from '../errors';

/** The nats CLI's default when a context has no URL (nats.DefaultURL). */
const NATS_DEFAULT_URL = 'nats://127.0.0.1:4222';
const ENV_PROFILE_NAME = 'NATS_URL';

/**
 * One `nats context` file (ADR-21 / jsm.go natscontext). Only the fields JetDeck can use;
 * the rest (jetstream_domain, inbox_prefix, color_scheme...) is ignored.
 */
const natsContextSchema = z.object({
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
});
type NatsContext = z.infer<typeof natsContextSchema>;
type ParsedProfileInput = z.output<typeof profileInputSchema>;

export function defaultContextDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'nats', 'context');
}

/**
 * Imports every nats CLI context (`<dir>/*.json`, the selected one named in `<dir>/../context.txt`)
 * and, with includeEnv, `NATS_URL`. Re-importing updates the profile of the same name; files
 * that cannot be used are reported in `skipped` with the reason. Secrets go to the secret store.
 */
export function importNatsContexts(
  core: Core,
  opts: { dir?: string; includeEnv?: boolean } = {},
): ImportResult {
  const dir = opts.dir ?? defaultContextDir();
  const result: ImportResult = { imported: [], skipped: [] };
  const selected = readSelected(dir);
  if (selected) result.selected = selected;

  for (const file of listContextFiles(dir, result)) {
    const name = basename(file, '.json');
    try {
      const ctx = readContext(file);
      const input = contextToProfile(name, ctx);
      result.imported.push(saveImported(core, input, 'nats-context', name === selected));
    } catch (err) {
      result.skipped.push({ file, reason: (err as Error).message });
    }
  }

  if (opts.includeEnv ?? true) {
    const url = process.env.NATS_URL?.trim();
    if (url) {
      try {
        result.imported.push(saveImported(core, envToProfile(url, process.env), 'env'));
      } catch (err) {
        result.skipped.push({ file: 'NATS_URL', reason: (err as Error).message });
      }
    }
  }
  return result;
}

function listContextFiles(dir: string, result: ImportResult): string[] {
  if (!existsSync(dir)) return [];
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(dir, f));
  } catch (err) {
    result.skipped.push({ file: dir, reason: `cannot list the context folder: ${(err as Error).message}` });
    return [];
  }
}

function readSelected(dir: string): string | undefined {
  try {
    const name = readFileSync(join(dirname(dir), 'context.txt'), 'utf8').trim();
    return name || undefined;
  } catch {
    return undefined;
  }
}

function readContext(file: string): NatsContext {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`not a readable JSON file: ${(err as Error).message}`, { cause: err });
  }
  const parsed = natsContextSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`not a nats context: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

/** `~/x` as the nats CLI expands it. */
function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** Credentials embedded in a URL (nats://user:pass@host) must never land in profiles.json. */
function splitUserInfo(url: string): { url: string; user?: string; password?: string } {
  const m = /^([a-z]+:\/\/)?([^@/\s]+)@(.+)$/i.exec(url.trim());
  if (!m) return { url: url.trim() };
  const [userPart, passPart] = m[2].split(/:(.*)/s);
  return {
    url: `${m[1] ?? ''}${m[3]}`,
    user: decodeURIComponent(userPart),
    password: passPart === undefined ? undefined : decodeURIComponent(passPart),
  };
}

function serversFrom(urlList: string | undefined): { servers: string[]; user?: string; password?: string } {
  const parts = (urlList || NATS_DEFAULT_URL)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(splitUserInfo);
  const withCreds = parts.find((p) => p.user !== undefined);
  return { servers: parts.map((p) => p.url), user: withCreds?.user, password: withCreds?.password };
}

function readSeedFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(expandHome(path), 'utf8');
  } catch (err) {
    throw new Error(`cannot read the nkey seed file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const seed = /\bSU[A-Z2-7]{50,}\b/.exec(text)?.[0];
  if (!seed) throw new Error(`the nkey file ${path} holds no user seed (SU...)`);
  return seed;
}

/** Auth in the order nats.go applies it: creds, nkey, token, user + password (also from the URL). */
function contextAuth(ctx: NatsContext, urlUser?: string, urlPassword?: string): AuthInput {
  if (ctx.creds) return { kind: 'creds', credsFile: expandHome(ctx.creds) };
  if (ctx.nkey) return { kind: 'nkey', seed: readSeedFile(ctx.nkey) };
  if (ctx.token) return { kind: 'token', token: ctx.token };
  if (ctx.user) return { kind: 'userpass', user: ctx.user, password: ctx.password || urlPassword };
  if (urlUser === undefined) return { kind: 'none' };
  // A user part without a password is a token, as nats.go reads nats://TOKEN@host.
  if (urlPassword === undefined) return { kind: 'token', token: urlUser };
  return { kind: 'userpass', user: urlUser, password: urlPassword };
}

export function contextToProfile(name: string, ctx: NatsContext): ParsedProfileInput {
  const { servers, user, password } = serversFrom(ctx.url);
  const auth = contextAuth(ctx, user, password);
  const tlsWanted = Boolean(ctx.cert || ctx.key || ctx.ca || ctx.tls_first);
  const parsed = profileInputSchema.safeParse({
    name,
    servers,
    auth,
    tls: tlsWanted
      ? {
          enabled: true,
          caFile: ctx.ca ? expandHome(ctx.ca) : undefined,
          certFile: ctx.cert ? expandHome(ctx.cert) : undefined,
          keyFile: ctx.key ? expandHome(ctx.key) : undefined,
          handshakeFirst: ctx.tls_first || undefined,
        }
      : undefined,
  });
  if (!parsed.success) throw new Error(formatZodError(parsed.error));
  return parsed.data;
}

/** NATS_URL plus the nats CLI's NATS_USER / NATS_PASSWORD / NATS_CREDS when set. */
function envToProfile(url: string, env: NodeJS.ProcessEnv): ParsedProfileInput {
  const ctx: NatsContext = { url, user: env.NATS_USER, password: env.NATS_PASSWORD, creds: env.NATS_CREDS };
  return contextToProfile(ENV_PROFILE_NAME, ctx);
}

/**
 * Saves under the same profile as last import: an earlier import of this name and source is
 * updated; a user's own profile holding the name is left alone and the import gets a suffix.
 */
function saveImported(
  core: Core,
  input: ParsedProfileInput,
  source: ConnectionProfile['source'],
  selected?: boolean,
): ConnectionProfile {
  const profiles = core.profiles.list();
  const names = [input.name, `${input.name} (${source === 'env' ? 'env' : 'nats context'})`];
  const ours = profiles.find((p) => p.source === source && names.includes(p.name));
  const name = ours?.name ?? names.find((n) => !profiles.some((p) => p.name === n)) ?? names[1];
  return core.profiles.save(
    { ...input, id: ours?.id, name },
    source,
    source === 'nats-context' ? Boolean(selected) : undefined,
  );
}
