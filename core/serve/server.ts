import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiError, HTTP_STATUS } from '../../api/errors';
import { WS_MAX_FRAME_BYTES, WS_PATH } from '../../api/ws-protocol';
import type { Core } from '../core';
import { registerMetricsRoutes } from '../monitor/metrics-routes';
import { registerTaskRoutes } from '../tasks/rest-routes';
import { authenticate, cookieNameFor, generateToken, isAllowedOrigin, originFor, tokensEqual } from './auth';
import { healthOf } from './health';
import { resolveServeOptions, ServeError, type ServeOptions } from './options';
import { installErrorHandler, sendError } from './rest';
import { installSecurityHeaders } from './security-headers';
import { hasPathEscape, registerStaticUi } from './static-ui';
import { createWsBridge, type WsBridge } from './ws-bridge';

/** The renderer build (`electron-vite build` writes it there), relative to this file's repo root. */
export const DEFAULT_UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'out', 'renderer');
const BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export interface ServeHandle {
  /** http://HOST:PORT (the real port when 0 was asked). */
  url: string;
  host: string;
  port: number;
  token: string;
  /** The link to print: url + `/?token=`. */
  loginUrl: string;
  app: FastifyInstance;
  /** The WebSocket bridge (socket count, dropped events and sockets). */
  bridge: WsBridge;
  close(): Promise<void>;
}

/**
 * Starts the HTTP + WebSocket server of `jetdeck serve` for an existing core: token auth on
 * every request, Origin checks on upgrades and cross-origin writes, security headers, the WS
 * bridge at /ws, /api/health, /api/call/:method, the task REST routes and the static UI.
 */
export async function startServe(core: Core, options: ServeOptions = {}): Promise<ServeHandle> {
  const opts = resolveServeOptions(options);
  const token = opts.token ?? generateToken();
  const uiDir = opts.uiDir ?? DEFAULT_UI_DIR;

  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true });
  let port = opts.port;
  const selfOrigin = () => originFor(opts.host, port);

  installErrorHandler(app);
  installJsonParser(app);
  installSecurityHeaders(app, () => selfOrigin().replace(/^http:/, 'ws:'));
  await app.register(fastifyCookie);
  await app.register(fastifyWebsocket, { options: { maxPayload: WS_MAX_FRAME_BYTES } });

  // Registered on the root instance before any route, so it guards every route added later
  // (the task routes and anything they register in child plugins included).
  app.addHook('onRequest', async (req, reply) => {
    const cookieName = cookieNameFor(port);
    if (hasPathEscape(req.url)) return sendError(reply, new ApiError('not_found', 'no such path'));
    const isUpgrade = req.headers.upgrade?.toLowerCase() === 'websocket';
    const origin = req.headers.origin;
    const originOk = origin === undefined || isAllowedOrigin(origin, req, opts.host, port, opts.extraOrigins);
    if (isUpgrade && !originOk) {
      return forbidden(reply, `WebSocket origin ${origin} is not allowed; open the UI from ${selfOrigin()}`);
    }
    if (isPageLoadWithToken(req)) return exchangeTokenForCookie(req, reply, token, cookieName);
    const how = authenticate(req, token, cookieName);
    if (!how) {
      return sendError(
        reply,
        new ApiError(
          'unauthorized',
          'Missing or wrong token. Open the link jetdeck serve printed (it ends in ?token=...), ' +
            'or send "Authorization: Bearer <token>".',
        ),
      );
    }
    // Browsers always send Origin on upgrades; a socket without one must be a script with the token.
    if (isUpgrade && origin === undefined && how !== 'bearer') {
      return forbidden(
        reply,
        'WebSocket without an Origin header must authenticate with Authorization: Bearer',
      );
    }
    if (!originOk && req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
      return forbidden(reply, `cross-origin request from ${origin} refused`);
    }
  });

  const bridge = createWsBridge(core, {
    maxBufferedBytes: opts.wsMaxBufferedBytes,
    stallMs: opts.wsStallMs,
    maxSocketBytes: opts.wsMaxSocketBytes,
  });
  app.get(WS_PATH, { websocket: true }, (socket, req) =>
    bridge.attach(socket, `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`),
  );

  app.get('/api/health', async () => healthOf(core));

  app.post<{ Params: { method: string } }>('/api/call/:method', async (req, reply) => {
    const result = await core.router.dispatch(req.params.method, req.body, { transport: 'rest' });
    return reply.code(result.ok ? 200 : HTTP_STATUS[result.error.code]).send(result);
  });

  await registerTaskRoutes(app, core);
  await registerMetricsRoutes(app, core);
  await registerStaticUi(app, uiDir);

  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    bridge.close();
    await app.close().catch(() => {});
    throw listenError(err, opts.host, opts.port);
  }
  const addr = app.server.address();
  if (addr && typeof addr === 'object') port = addr.port;

  const url = selfOrigin();
  let closing: Promise<void> | undefined;
  return {
    url,
    host: opts.host,
    port,
    token,
    loginUrl: `${url}/?token=${encodeURIComponent(token)}`,
    app,
    bridge,
    close() {
      closing ??= (async () => {
        bridge.close();
        await app.close();
      })();
      return closing;
    },
  };
}

function forbidden(reply: FastifyReply, message: string): FastifyReply {
  return sendError(reply, new ApiError('unauthorized', message), 403);
}

function isPageLoadWithToken(req: FastifyRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const q = req.url.indexOf('?');
  if (q < 0) return false;
  const path = req.url.slice(0, q);
  return (
    !path.startsWith('/api/') && path !== WS_PATH && new URLSearchParams(req.url.slice(q + 1)).has('token')
  );
}

/** `/?token=T` → HttpOnly SameSite=Strict cookie and a redirect to the same URL without the token. */
function exchangeTokenForCookie(
  req: FastifyRequest,
  reply: FastifyReply,
  token: string,
  cookieName: string,
): FastifyReply {
  const q = req.url.indexOf('?');
  let path = req.url.slice(0, q);
  const params = new URLSearchParams(req.url.slice(q + 1));
  if (!tokensEqual(token, params.get('token') ?? undefined)) {
    return sendError(
      reply,
      new ApiError('unauthorized', 'wrong token in the link; copy it again from jetdeck serve'),
    );
  }
  params.delete('token');
  const rest = params.toString();
  // `//host` would be a protocol-relative redirect to another site.
  if (!path.startsWith('/') || /^\/[/\\]/.test(path)) path = '/';
  reply.setCookie(cookieName, token, { httpOnly: true, sameSite: 'strict', path: '/' });
  return reply.redirect(rest ? `${path}?${rest}` : path, 302);
}

/** JSON bodies, where an empty body means "no input" (methods whose input is optional). */
function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        new ApiError('invalid_input', `request body is not valid JSON: ${(err as Error).message}`),
        undefined,
      );
    }
  });
}

function listenError(err: unknown, host: string, port: number): ServeError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') {
    return new ServeError(
      `Port ${port} on ${host} is already in use. Pick another with --port (or --port 0 for any free port).`,
    );
  }
  if (e.code === 'EACCES') {
    return new ServeError(
      `Not allowed to listen on ${host}:${port} (${e.message}). Try a port above 1024 with --port.`,
    );
  }
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') {
    return new ServeError(`Cannot listen on ${host}: no such local address (${e.message}). Check --host.`);
  }
  return new ServeError(`Could not start the server on ${host}:${port}: ${e.message}`);
}

export { resolveServeOptions, ServeError, type ServeOptions };
