import type { FastifyInstance } from 'fastify';

/**
 * Headers on every response of `jetdeck serve`, 401s and 404s included. The CSP allows only
 * our own scripts; inline styles stay allowed because React style props need them.
 */
export function contentSecurityPolicy(wsOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${wsOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

/** `wsOrigin()` is read per response: the port is only known after listen (port 0). */
export function installSecurityHeaders(app: FastifyInstance, wsOrigin: () => string): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('Content-Security-Policy', contentSecurityPolicy(wsOrigin()));
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    // Everything is behind the token and tiny on loopback: never let a cache keep it.
    reply.header('Cache-Control', 'no-store');
    return payload;
  });
}
