import type { AuthInput } from './features/connections';
import { ApiError } from './errors';

/**
 * Credentials written into server URLs (`nats://user:pass@host`, `nats://token@host`, the
 * nats CLI's convention) are split off before a URL is stored, shown, logged or sent in an
 * event: the URLs keep only scheme, host and port, and the credentials become an auth entry,
 * which profiles keep in the secret store.
 */
export interface SplitServers {
  servers: string[];
  /** The credentials found in the URLs (all URLs must agree), or undefined when none had any. */
  auth?: Extract<AuthInput, { kind: 'userpass' } | { kind: 'token' }>;
}

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)?([^@/\s]*)@(.*)$/i;

export function splitUrlCredentials(urls: readonly string[]): SplitServers {
  let auth: SplitServers['auth'];
  let authKey: string | undefined;
  const servers = urls.map((raw) => {
    const url = raw.trim();
    const m = USERINFO.exec(url);
    if (!m) return url;
    const [, scheme = '', userinfo = '', rest = ''] = m;
    const colon = userinfo.indexOf(':');
    const found: NonNullable<SplitServers['auth']> =
      colon < 0
        ? { kind: 'token', token: decode(userinfo) }
        : {
            kind: 'userpass',
            user: decode(userinfo.slice(0, colon)),
            password: decode(userinfo.slice(colon + 1)),
          };
    const key = JSON.stringify(found);
    if (authKey !== undefined && authKey !== key) {
      throw new ApiError('invalid_input', 'the server URLs carry different credentials; give one set');
    }
    authKey = key;
    auth = found;
    return scheme + rest;
  });
  return { servers, auth };
}

/** `host:port` of a server URL, to name a profile after the server rather than the raw flag. */
export function serverLabel(url: string): string {
  const noScheme = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/$/, '');
  const hostPort = noScheme.slice(noScheme.lastIndexOf('@') + 1);
  const hasPort = hostPort.startsWith('[') ? /\]:\d+$/.test(hostPort) : /:\d+$/.test(hostPort);
  // Only nats:// and tls:// (or no scheme) default to 4222; ws URLs keep what they say.
  return hasPort || /^wss?:/i.test(url) ? hostPort : `${hostPort}:4222`;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
