import { readFileSync } from 'node:fs';
import {
  connect,
  createInbox,
  credsAuthenticator,
  nkeyAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';
import type { AuthInput, ConnectionProfile } from '../api/features/connections';
import { ApiError } from '../api/errors';

/** Options every JetDeck connection shares: reconnect forever, no async stack capture. */
export const BASE_OPTIONS: ConnectionOptions = {
  name: 'jetdeck',
  maxReconnectAttempts: -1,
  reconnectTimeWait: 1000,
  timeout: 5000,
  // Capturing a stack per request halves JetStream publish rates (NATS-NOTES).
  noAsyncTraces: true,
};

export function authOptions(auth: AuthInput): ConnectionOptions {
  switch (auth.kind) {
    case 'none':
      return {};
    case 'userpass':
      return { user: auth.user, pass: auth.password ?? '' };
    case 'token':
      if (!auth.token) throw new ApiError('invalid_input', 'token auth selected but no token is stored');
      return { token: auth.token };
    case 'nkey': {
      const seed = auth.seed?.trim();
      if (!seed?.startsWith('SU')) throw new ApiError('invalid_input', 'an NKey user seed starts with SU');
      return { authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)) };
    }
    case 'creds': {
      let text = auth.creds;
      if (!text && auth.credsFile) {
        try {
          text = readFileSync(auth.credsFile, 'utf8');
        } catch (err) {
          throw new ApiError(
            'invalid_input',
            `cannot read creds file ${auth.credsFile}: ${(err as Error).message}`,
          );
        }
      }
      if (!text)
        throw new ApiError(
          'invalid_input',
          'creds auth selected but neither a creds file nor its content is set',
        );
      return { authenticator: credsAuthenticator(new TextEncoder().encode(text)) };
    }
  }
}

/** Where and how to connect: a stored profile, a pool thread's config, `jetdeck worker` flags. */
export interface ConnectTarget {
  servers: string[];
  auth: AuthInput;
  tls?: ConnectionProfile['tls'];
  /** JetStream domain (`$JS.<domain>.API`). */
  jsDomain?: string;
  /** Inbox prefix for accounts that restrict _INBOX. */
  inboxPrefix?: string;
  /** Connect and JetStream API timeout. */
  timeoutMs?: number;
}

export function connectOptions(profile: ConnectTarget, extra: ConnectionOptions = {}): ConnectionOptions {
  const tls = profile.tls?.enabled
    ? {
        caFile: profile.tls.caFile || undefined,
        certFile: profile.tls.certFile || undefined,
        keyFile: profile.tls.keyFile || undefined,
        handshakeFirst: profile.tls.handshakeFirst || undefined,
      }
    : undefined;
  return {
    ...BASE_OPTIONS,
    servers: profile.servers,
    ...authOptions(profile.auth),
    ...(tls ? { tls } : {}),
    ...(profile.inboxPrefix ? { inboxPrefix: profile.inboxPrefix } : {}),
    ...(profile.timeoutMs ? { timeout: profile.timeoutMs } : {}),
    ...extra,
  };
}

/**
 * Per connection: the JetStream domain and inbox prefix of the profile it was opened for, for
 * the places that build `$JS.API` subjects or inboxes by hand (paged listing, message get, pull
 * requests, PubAck inboxes). Keyed weakly by the connection: it ends with it.
 */
const extras = new WeakMap<object, { jsDomain?: string; inboxPrefix?: string }>();

/** `connect()` with the profile's options, remembering its domain and inbox prefix. */
export async function connectTo(
  profile: ConnectTarget,
  extra: ConnectionOptions = {},
): Promise<NatsConnection> {
  const nc = await connect(connectOptions(profile, extra));
  if (profile.jsDomain || profile.inboxPrefix)
    extras.set(nc, { jsDomain: profile.jsDomain, inboxPrefix: profile.inboxPrefix });
  return nc;
}

/** JetStream API subject prefix for `nc`: `$JS.API`, or `$JS.<domain>.API` in a JetStream domain. */
export function jsApiPrefix(nc: object): string {
  const domain = extras.get(nc)?.jsDomain;
  return domain ? `$JS.${domain}.API` : '$JS.API';
}

/** A new inbox under the connection's inbox prefix (accounts that restrict _INBOX). */
export function inboxFor(nc: object): string {
  return createInbox(extras.get(nc)?.inboxPrefix);
}

/** Options for nats.js's jetstream() / jetstreamManager(): the connection's domain, the profile's timeout. */
export function jsOptions(nc: object, timeoutMs?: number): { domain?: string; timeout?: number } {
  const domain = extras.get(nc)?.jsDomain;
  return { ...(domain ? { domain } : {}), ...(timeoutMs ? { timeout: timeoutMs } : {}) };
}
