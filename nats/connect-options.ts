import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions } from '@nats-io/transport-node';
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
    ...extra,
  };
}
