import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { z } from 'zod';
import { authFrom, NATS_DEFAULT_URL } from '../../nats/cli-target';
import {
  defaultContextDir,
  readContextFile,
  selectedContext,
  type NatsContext,
} from '../../nats/nats-context';
import {
  profileInputSchema,
  type AuthInput,
  type ConnectionProfile,
  type ImportResult,
} from '../../api/features/connections';
import type { Core } from '../core';
import { formatZodError } from '../errors';

const ENV_PROFILE_NAME = 'NATS_URL';
type ParsedProfileInput = z.output<typeof profileInputSchema>;

export { defaultContextDir };

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
  const selected = selectedContext(dir);
  if (selected) result.selected = selected;

  for (const file of listContextFiles(dir, result)) {
    const name = basename(file, '.json');
    try {
      const ctx = readContextFile(file);
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

/** The context's own auth (natscontext's order), else what the URL carries. */
function contextAuth(ctx: NatsContext, urlUser?: string, urlPassword?: string): AuthInput {
  const own = authFrom(ctx);
  if (own.kind !== 'none')
    return own.kind === 'userpass' && !own.password ? { ...own, password: urlPassword } : own;
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
          caFile: ctx.ca,
          certFile: ctx.cert,
          keyFile: ctx.key,
          handshakeFirst: ctx.tls_first || undefined,
        }
      : undefined,
    jsDomain: ctx.jetstream_domain || undefined,
    inboxPrefix: ctx.inbox_prefix || undefined,
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
