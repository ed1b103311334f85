import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * Token checks for `jetdeck serve`. The token is compared in constant time (both sides are
 * hashed first so lengths never leak) and reaches us in one of three ways: `Authorization:
 * Bearer T` (scripts, non-browser clients), the HttpOnly cookie the `?token=T` link sets (the
 * browser UI), or that `?token=T` query itself on a page load.
 */

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokensEqual(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** Cookies ignore ports, so two servers on one host need distinct cookie names. */
export function cookieNameFor(port: number): string {
  return `jetdeck_token_${port}`;
}

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

export type AuthMethod = 'bearer' | 'cookie';

/** Which credential (if any) on this request carries the right token. */
export function authenticate(req: FastifyRequest, token: string, cookieName: string): AuthMethod | undefined {
  if (tokensEqual(token, bearerToken(req))) return 'bearer';
  if (tokensEqual(token, req.cookies?.[cookieName])) return 'cookie';
  return undefined;
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
