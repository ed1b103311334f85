import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccount, createOperator, createUser, type KeyPair } from '@nats-io/nkeys';
import { generate } from 'selfsigned';

/**
 * Config snippets (for ServerOptions.extraConfig) and key material for servers that require
 * authentication or TLS. Everything is generated per test: no checked-in keys or certificates.
 */

const q = (s: string) => JSON.stringify(s);

export function userPassConfig(user: string, password: string): string {
  return `authorization { user: ${q(user)}, password: ${q(password)} }`;
}

export function tokenConfig(token: string): string {
  return `authorization { token: ${q(token)} }`;
}

export interface NKeyUser {
  seed: string;
  publicKey: string;
}

export function newNKeyUser(): NKeyUser {
  const kp = createUser();
  return { seed: new TextDecoder().decode(kp.getSeed()), publicKey: kp.getPublicKey() };
}

export function nkeyConfig(publicKeys: string[]): string {
  return `authorization { users: [ ${publicKeys.map((k) => `{ nkey: ${q(k)} }`).join(', ')} ] }`;
}

// ---------- TLS ----------

export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** A client certificate signed by the same CA, for verify mode. */
  clientCertFile: string;
  clientKeyFile: string;
}

/** A fresh CA, a server certificate for 127.0.0.1/localhost, and a client certificate. */
export async function makeTlsFiles(dir: string): Promise<TlsFiles> {
  mkdirSync(dir, { recursive: true });
  const ca = await generate([{ name: 'commonName', value: 'JetDeck Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const client = await generate([{ name: 'commonName', value: 'jetdeck-client' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  const files: TlsFiles = {
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'server-cert.pem'),
    keyFile: join(dir, 'server-key.pem'),
    clientCertFile: join(dir, 'client-cert.pem'),
    clientKeyFile: join(dir, 'client-key.pem'),
  };
  writeFileSync(files.caFile, ca.cert);
  writeFileSync(files.certFile, server.cert);
  writeFileSync(files.keyFile, server.private, { mode: 0o600 });
  writeFileSync(files.clientCertFile, client.cert);
  writeFileSync(files.clientKeyFile, client.private, { mode: 0o600 });
  return files;
}

/** `verify: true` makes the server demand a client certificate signed by the CA. */
export function tlsConfig(f: TlsFiles, opts: { verify?: boolean } = {}): string {
  return `tls { cert_file: ${q(f.certFile)}, key_file: ${q(f.keyFile)}, ca_file: ${q(f.caFile)}, verify: ${
    opts.verify ? 'true' : 'false'
  }, timeout: 2 }`;
}

// ---------- operator mode (JWT / creds) ----------

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

/**
 * Signs NATS JWT claims with an nkey (alg ed25519-nkey), as @nats-io/jwt would: the jti is the
 * base32 SHA-256 of the claims without it, the signature covers `header.payload`.
 */
export function signJwt(
  issuer: KeyPair,
  subject: string,
  name: string,
  nats: Record<string, unknown>,
): string {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }));
  const claims: Record<string, unknown> = {
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject,
    nats: { ...nats, version: 2 },
  };
  claims.jti = base32(createHash('sha256').update(JSON.stringify(claims)).digest());
  const payload = b64url(JSON.stringify(claims));
  const sig = issuer.sign(new TextEncoder().encode(`${header}.${payload}`));
  return `${header}.${payload}.${b64url(sig)}`;
}

function base32(buf: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

const UNLIMITED = { subs: -1, data: -1, payload: -1 };

export function credsFileText(jwt: string, seed: string): string {
  return [
    '-----BEGIN NATS USER JWT-----',
    jwt,
    '------END NATS USER JWT------',
    '',
    '************************* IMPORTANT *************************',
    'NKEY Seed printed below can be used to sign and prove identity.',
    'NKEYs are sensitive and should be treated as secrets.',
    '',
    '-----BEGIN USER NKEY SEED-----',
    seed,
    '------END USER NKEY SEED------',
    '',
  ].join('\n');
}

export interface OperatorSetup {
  /** Config text: operator JWT, memory resolver with the account preloaded. */
  config: string;
  /** A valid user's creds file text. */
  creds: string;
  /** Creds for a user signed by an account the server does not know. */
  foreignCreds: string;
}

/** Operator → account → user, all JWTs signed here, for a server in operator mode. */
export function makeOperatorSetup(): OperatorSetup {
  const operator = createOperator();
  const account = createAccount();
  const user = createUser();
  const operatorJwt = signJwt(operator, operator.getPublicKey(), 'jetdeck-test-op', { type: 'operator' });
  // Accounts are signed by the operator, users by their account.
  const accountJwt = signJwt(operator, account.getPublicKey(), 'APP', {
    type: 'account',
    limits: { ...UNLIMITED, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 },
  });
  const userJwt = signJwt(account, user.getPublicKey(), 'jetdeck-user', {
    type: 'user',
    pub: {},
    sub: {},
    ...UNLIMITED,
  });
  const stranger = createAccount();
  const strangerUser = createUser();
  const foreignJwt = signJwt(stranger, strangerUser.getPublicKey(), 'stranger', {
    type: 'user',
    pub: {},
    sub: {},
    ...UNLIMITED,
  });
  const seed = (kp: KeyPair) => new TextDecoder().decode(kp.getSeed());
  return {
    config: [
      `operator: ${q(operatorJwt)}`,
      'resolver: MEMORY',
      `resolver_preload: { ${account.getPublicKey()}: ${q(accountJwt)} }`,
    ].join('\n'),
    creds: credsFileText(userJwt, seed(user)),
    foreignCreds: credsFileText(foreignJwt, seed(strangerUser)),
  };
}
