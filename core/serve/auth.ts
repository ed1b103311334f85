import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { tokenFromSubprotocols } from '../../api/ws-protocol';

/**
 * Token checks for `jetdeck serve`. The token is compared in constant time (both sides are
 * hashed first so lengths never leak) and reaches us in one of two ways: `Authorization:
 * Bearer T` (scripts, and the browser UI's fetches) or, on the WebSocket upgrade, the
 * `jetdeck.auth.<base64url(T)>` subprotocol (browsers cannot set headers there). No cookie:
 * cookies ignore ports, so one would reach every other server on this host.
 */

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export const MIN_TOKEN_LENGTH = 32;
/** Bits per character of the token's own character distribution; a random hex token has ~3.5. */
const MIN_BITS_PER_CHAR = 3;

/** Why a user-chosen token is too weak to guard NATS, or undefined when it will do. */
export function tokenWeakness(token: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH)
    return `token must be at least ${MIN_TOKEN_LENGTH} characters (use a random one, e.g. \`openssl rand -hex 32\`)`;
  const counts = new Map<string, number>();
  for (const c of token) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / token.length) * Math.log2(n / token.length);
  if (bits < MIN_BITS_PER_CHAR)
    return 'token is too predictable (too few distinct characters); use a random one, e.g. `openssl rand -hex 32`';
  return undefined;
}

export function tokensEqual(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

export type AuthMethod = 'bearer' | 'subprotocol';

/** Which credential (if any) on this request carries the right token. */
export function authenticate(req: FastifyRequest, token: string): AuthMethod | undefined {
  if (tokensEqual(token, bearerToken(req))) return 'bearer';
  const proto = req.headers['sec-websocket-protocol'];
  if (typeof proto === 'string' && tokensEqual(token, tokenFromSubprotocols(proto))) return 'subprotocol';
  return undefined;
}

/** True when the request presented some credential (a wrong one counts as a failed attempt). */
export function presentedCredential(req: FastifyRequest): boolean {
  return req.headers.authorization !== undefined || req.headers['sec-websocket-protocol'] !== undefined;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** http://HOST:PORT with IPv6 literals bracketed. */
export function originFor(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/**
 * Origins a browser page served by us can have. On a loopback bind the other loopback
 * spellings are the same machine; on a wildcard bind the page's origin is whatever address
 * the user typed, so it must match the request's own Host header.
 */
export function isAllowedOrigin(
  origin: string,
  req: FastifyRequest,
  host: string,
  port: number,
  extra: readonly string[],
): boolean {
  if (extra.includes(origin)) return true;
  if (origin === originFor(host, port)) return true;
  if (isLoopbackHost(host)) {
    return ['127.0.0.1', 'localhost', '[::1]'].some((h) => origin === `http://${h}:${port}`);
  }
  if (isWildcardHost(host)) return req.headers.host !== undefined && origin === `http://${req.headers.host}`;
  return false;
}

/** The host part of a Host header (`[::1]:8081` → `::1`, `Example.COM:80` → `example.com`). */
export function hostOfHeader(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/**
 * The Host names this server answers to: loopback names, the bound host, this machine's own
 * addresses when bound to all of them, and `--allow-host` names. Any other name (DNS
 * rebinding: evil.example resolving to 127.0.0.1) is refused even with a valid token.
 */
export function hostAllowList(
  boundHost: string,
  extra: readonly string[],
): (host: string | undefined) => boolean {
  const allowed = new Set(['localhost', '127.0.0.1', '::1', hostOfHeader(boundHost)]);
  for (const h of extra) allowed.add(hostOfHeader(h));
  if (isWildcardHost(boundHost)) {
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) allowed.add(a.address.toLowerCase());
  }
  return (host) => {
    if (host === undefined) return false;
    const h = hostOfHeader(host);
    return allowed.has(h) || (isIP(h) === 4 && /^127\./.test(h));
  };
}
