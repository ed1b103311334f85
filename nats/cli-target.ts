import { resolve } from 'node:path';
import { natsUrlSchema, type AuthInput } from '../api/features/connections';
import { splitUrlCredentials } from '../api/nats-url';
import {
  credsText,
  defaultContextDir,
  expandPath,
  loadContext,
  readSeedFile,
  selectedContext,
  type NatsContext,
} from './nats-context';

/**
 * Connection flags as the `nats` CLI spells them, shared by `jetdeck serve` and `jetdeck worker`.
 * Every field is optional: what is left out comes from the environment, then the context.
 */
export interface NatsFlags {
  server?: string;
  /** `--nats`, JetDeck's older spelling of --server. */
  nats?: string;
  context?: string;
  /** `--no-context`: ignore the context nats has selected. */
  useContext?: boolean;
  creds?: string;
  user?: string;
  password?: string;
  token?: string;
  nkey?: string;
  tlscert?: string;
  tlskey?: string;
  tlsca?: string;
  tlsfirst?: boolean;
  jsDomain?: string;
  inboxPrefix?: string;
  timeout?: string;
  systemCreds?: string;
  /** A nats context whose credentials are the system account's (for the monitor). */
  systemContext?: string;
  monitorUrl?: string[];
}

/** Where to connect and how, resolved from flags > environment > context, as `nats` does. */
export interface NatsTarget {
  servers: string[];
  auth: AuthInput;
  tls?: { enabled: true; caFile?: string; certFile?: string; keyFile?: string; handshakeFirst?: boolean };
  jsDomain?: string;
  inboxPrefix?: string;
  timeoutMs?: number;
  /** System-account credentials for the monitor (`--system-creds`, or `--system-context NAME`). */
  system?: { auth: AuthInput };
  monitorUrls?: string[];
  /** The nats context that filled in values, if one did. */
  contextName?: string;
  /** What named the server: a flag, NATS_URL, the context, or nothing (nats's default URL). */
  serverFrom: 'flag' | 'env' | 'context' | 'default';
}

/** nats.DefaultURL: what `nats` dials when nothing names a server. */
export const NATS_DEFAULT_URL = 'nats://127.0.0.1:4222';

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  contextDir?: string;
  /**
   * Without any connection flag, environment variable or explicit --context: false returns
   * undefined (serve keeps its own default); true uses the selected context, then nats's
   * default URL, as `nats` does.
   */
  implicit?: boolean;
}

/** Flags whose value is taken from the environment when the flag is absent (nats's names). */
const ENV: Partial<Record<keyof NatsFlags, string>> = {
  systemCreds: 'JETDECK_SYSTEM_CREDS',
  server: 'NATS_URL',
  context: 'NATS_CONTEXT',
  creds: 'NATS_CREDS',
  user: 'NATS_USER',
  password: 'NATS_PASSWORD',
  token: 'NATS_TOKEN',
  nkey: 'NATS_NKEY',
  tlscert: 'NATS_CERT',
  tlskey: 'NATS_KEY',
  tlsca: 'NATS_CA',
  timeout: 'NATS_TIMEOUT',
};

/** One bad input, worded for the command line. */
export class NatsFlagError extends Error {}

/**
 * Resolves the connection the way `nats` does: each setting from its flag, else its environment
 * variable, else the context (`--context`/NATS_CONTEXT, else the one `nats context select`
 * chose, unless --no-context), else nats's default. Auth follows natscontext's order: user (+
 * password), creds, nkey, user_jwt + user_seed, then token. Paths are resolved against the
 * working directory; files are read only for an nkey seed. Undefined when nothing asks for a
 * NATS server and `implicit` is false.
 */
export function resolveNatsTarget(flags: NatsFlags, opts: ResolveOptions = {}): NatsTarget | undefined {
  const env = opts.env ?? process.env;
  const pick = <K extends keyof NatsFlags>(k: K): { v?: string; from?: 'flag' | 'env' } => {
    const f = flags[k];
    if (typeof f === 'string' && f.trim()) return { v: f.trim(), from: 'flag' };
    const name = ENV[k];
    const e = name ? env[name]?.trim() : undefined;
    return e ? { v: e, from: 'env' } : {};
  };
  const server = flags.server?.trim() ? pick('server') : flags.nats?.trim() ? pick('nats') : pick('server');
  const serverOrLegacy = server.v
    ? server
    : env.JETDECK_NATS_URL?.trim()
      ? { v: env.JETDECK_NATS_URL.trim(), from: 'env' as const }
      : {};
  const contextPick = pick('context');
  const explicitSettings =
    (
      [
        'creds',
        'user',
        'password',
        'token',
        'nkey',
        'tlscert',
        'tlskey',
        'tlsca',
        'jsDomain',
        'inboxPrefix',
        'systemCreds',
        'systemContext',
      ] as const
    ).some((k) => pick(k).v) ||
    Boolean(flags.tlsfirst) ||
    Boolean(flags.monitorUrl?.length);

  const dir = opts.contextDir ?? defaultContextDir(env);
  const useContext = flags.useContext !== false;
  let ctx: NatsContext = {};
  let contextName: string | undefined;
  if (contextPick.v) {
    if (!useContext) throw new NatsFlagError('--context and --no-context together');
    ({ name: contextName, context: ctx } = wrap(() => loadContext(contextPick.v!, dir, env)));
  } else if (useContext && (serverOrLegacy.v || explicitSettings || opts.implicit)) {
    const selected = selectedContext(dir);
    if (selected) ({ name: contextName, context: ctx } = wrap(() => loadContext(selected, dir, env)));
  }
  if (!serverOrLegacy.v && !contextPick.v && !explicitSettings && !opts.implicit) return undefined;

  const serverLabel =
    serverOrLegacy.from === 'flag'
      ? flags.server?.trim()
        ? '--server'
        : '--nats'
      : serverOrLegacy.from === 'env'
        ? server.v
          ? 'NATS_URL'
          : 'JETDECK_NATS_URL'
        : `context "${contextName}" url`;
  const servers = splitServers(serverOrLegacy.v ?? ctx.url ?? NATS_DEFAULT_URL, serverLabel);
  const serverFrom = serverOrLegacy.from ?? (ctx.url ? 'context' : 'default');
  const path = (v: string | undefined, from?: 'flag' | 'env') =>
    v === undefined ? undefined : from ? resolve(expandPath(v, env)) : v;

  const user = pick('user').v ?? ctx.user;
  const password = pick('password').v ?? ctx.password;
  const creds = pick('creds');
  const credsFile = path(creds.v, creds.from) ?? ctx.creds;
  const nkey = pick('nkey');
  const nkeyFile = path(nkey.v, nkey.from) ?? ctx.nkey;
  const token = pick('token').v ?? ctx.token;

  const explicitAuth = authFrom(
    {
      user,
      password,
      creds: credsFile,
      nkey: nkeyFile,
      token,
      user_jwt: ctx.user_jwt,
      user_seed: ctx.user_seed,
    },
    contextName,
  );
  // `nats://user:pass@host` or `nats://token@host`: the credentials leave the URL (so no log
  // line, status or profile shows them) and count as the auth, unless other auth is given.
  const split = wrap(() => splitUrlCredentials(servers));
  if (split.auth && explicitAuth.kind !== 'none')
    throw new NatsFlagError('give credentials in the server URL or as flags/context, not both');
  const auth = split.auth ?? explicitAuth;

  const cert = pick('tlscert');
  const key = pick('tlskey');
  const ca = pick('tlsca');
  const certFile = path(cert.v, cert.from) ?? ctx.cert;
  const keyFile = path(key.v, key.from) ?? ctx.key;
  const caFile = path(ca.v, ca.from) ?? ctx.ca;
  const handshakeFirst = Boolean(flags.tlsfirst) || Boolean(ctx.tls_first);
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new NatsFlagError('a TLS client certificate needs both --tlscert and --tlskey');

  const timeout = pick('timeout').v;
  const systemCreds = pick('systemCreds');
  const target: NatsTarget = {
    servers: split.servers,
    auth,
    serverFrom,
    ...(certFile || caFile || handshakeFirst
      ? {
          tls: {
            enabled: true as const,
            ...(caFile ? { caFile } : {}),
            ...(certFile ? { certFile, keyFile } : {}),
            ...(handshakeFirst ? { handshakeFirst } : {}),
          },
        }
      : {}),
  };
  const jsDomain = pick('jsDomain').v ?? ctx.jetstream_domain;
  if (jsDomain) target.jsDomain = checkToken(jsDomain, '--js-domain');
  const inboxPrefix = pick('inboxPrefix').v ?? ctx.inbox_prefix;
  if (inboxPrefix) target.inboxPrefix = checkToken(inboxPrefix, 'inbox prefix');
  if (timeout) target.timeoutMs = parseDuration(timeout);
  const systemContext = flags.systemContext?.trim();
  if (systemCreds.v && systemContext)
    throw new NatsFlagError('--system-creds and --system-context together: give one');
  if (systemCreds.v)
    target.system = { auth: { kind: 'creds', credsFile: path(systemCreds.v, systemCreds.from)! } };
  if (systemContext) {
    const sys = wrap(() => loadContext(systemContext, dir, env));
    const sysAuth = authFrom(sys.context, sys.name);
    if (sysAuth.kind === 'none')
      throw new NatsFlagError(`--system-context "${systemContext}" holds no credentials`);
    target.system = { auth: sysAuth };
  }
  if (flags.monitorUrl?.length) target.monitorUrls = flags.monitorUrl.map(checkMonitorUrl);
  if (contextName) target.contextName = contextName;
  return target;
}

/** natscontext's order: user (+ password), creds, nkey, user_jwt + user_seed, then token. */
export function authFrom(c: NatsContext, contextName?: string): AuthInput {
  if (c.user) return { kind: 'userpass', user: c.user, password: c.password };
  if (c.creds) return { kind: 'creds', credsFile: c.creds };
  if (c.nkey) {
    const file = c.nkey;
    return { kind: 'nkey', seed: wrap(() => readSeedFile(file)) };
  }
  if (c.user_jwt && c.user_seed) return { kind: 'creds', creds: credsText(c.user_jwt, c.user_seed) };
  if (c.user_jwt)
    throw new NatsFlagError(
      `context "${contextName}": user_jwt without user_seed (a JWT signed elsewhere) is not supported; add user_seed or use creds`,
    );
  if (c.token) return { kind: 'token', token: c.token };
  return { kind: 'none' };
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new NatsFlagError((err as Error).message);
  }
}

function splitServers(list: string, label: string): string[] {
  const servers = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!servers.length) throw new NatsFlagError(`${label}: no server URL given`);
  for (const s of servers) {
    const r = natsUrlSchema.safeParse(s);
    if (!r.success)
      throw new NatsFlagError(`${label}: ${r.error.issues[0]?.message ?? 'invalid URL'} (got "${s}")`);
  }
  return servers;
}

/** A subject token or prefix (domain, inbox prefix): no spaces or wildcards. */
function checkToken(v: string, what: string): string {
  if (!/^[^\s*>]+$/.test(v) || v.startsWith('.') || v.endsWith('.'))
    throw new NatsFlagError(`${what} "${v}" is not a valid subject prefix`);
  return v;
}

function checkMonitorUrl(u: string): string {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new NatsFlagError(`--monitor-url "${u}" is not a URL (e.g. http://host:8222)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new NatsFlagError(`--monitor-url "${u}": the monitoring port speaks http:// or https://`);
  return u.replace(/\/+$/, '');
}

/** A Go duration as `nats --timeout` takes it (5s, 500ms, 1m30s), or plain seconds. */
export function parseDuration(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  let rest = v;
  const part = /^(\d+(?:\.\d+)?)(ms|s|m|h)/;
  for (let m = part.exec(rest); m; m = part.exec(rest)) {
    ms += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  if (rest || ms <= 0) throw new NatsFlagError(`--timeout "${v}": expected a duration like 5s or 500ms`);
  return Math.round(ms);
}
