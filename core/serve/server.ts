import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { exceedsDepth, MAX_INPUT_DEPTH } from '../../api/depth';
import { ApiError } from '../../api/errors';
import { WS_MAX_FRAME_BYTES, WS_PATH, WS_SUBPROTOCOL } from '../../api/ws-protocol';
import type { AppCore } from '../features';
import { jsonErrorMessage } from '../errors';
import { registerMetricsRoutes } from '../monitor/metrics-routes';
import { registerTaskRoutes } from '../tasks/rest-routes';
import {
  authenticate,
  generateToken,
  hostAllowList,
  isAllowedOrigin,
  originFor,
  presentedCredential,
} from './auth';
import { AuthThrottle } from './auth-throttle';
import { healthOf, readinessOf } from './health';
import { resolveServeOptions, ServeError, type ServeOptions } from './options';
import { installErrorHandler, sendError } from './rest';
import { installSecurityHeaders } from './security-headers';
import { hasPathEscape, registerStaticUi } from './static-ui';
import { createWsBridge, type WsBridge } from './ws-bridge';

/** The renderer build (`electron-vite build` writes it there), relative to this file's repo root. */
export const DEFAULT_UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'out', 'renderer');
const BODY_LIMIT_BYTES = 4 * 1024 * 1024;
/**
 * As long as a request line can be (node caps headers at 16 KiB): every path parameter reaches
 * its schema (task ids ≤ 200, method names ≤ 200), so a too-long id is the same 400 as any bad
 * id, never "no route".
 */
const MAX_PARAM_LENGTH = 16 * 1024;

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
export async function startServe(core: AppCore, options: ServeOptions = {}): Promise<ServeHandle> {
  const opts = resolveServeOptions(options);
  const token = opts.token ?? generateToken();
  const uiDir = opts.uiDir ?? DEFAULT_UI_DIR;

  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  });
  let port = opts.port;
  const selfOrigin = () => originFor(opts.host, port);
  const hostAllowed = hostAllowList(opts.host, opts.allowHosts);
  const throttle = new AuthThrottle();

  installErrorHandler(app);
  installJsonParser(app);
  installSecurityHeaders(app, () => selfOrigin().replace(/^http:/, 'ws:'));
  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: WS_MAX_FRAME_BYTES,
      // Select `jetdeck` when offered; the auth subprotocol is read, never echoed back.
      handleProtocols: (offered: Set<string>) => (offered.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
    },
  });

  // Registered on the root instance before any route, so it guards every route added later
  // (the task routes and anything they register in child plugins included).
  app.addHook('onRequest', async (req, reply) => {
    if (hasNulHeader(req)) {
      return sendError(reply, new ApiError('invalid_input', 'header values must not contain NUL'));
    }
    if (!hostAllowed(req.headers.host)) {
      return forbidden(
        reply,
        `Host ${JSON.stringify(req.headers.host ?? '')} is not allowed; use ${selfOrigin()} (or start serve with --allow-host)`,
      );
    }
    if (hasPathEscape(req.url)) return sendError(reply, new ApiError('not_found', 'no such path'));
    const path = req.url.split('?')[0] ?? '/';
    const isUpgrade = req.headers.upgrade !== undefined;
    if (isUpgrade && path !== WS_PATH) {
      return sendError(reply, new ApiError('not_found', `WebSocket upgrades are served on ${WS_PATH} only`));
    }
    const origin = req.headers.origin;
    const originOk = origin === undefined || isAllowedOrigin(origin, req, opts.host, port, opts.extraOrigins);
    if (isUpgrade && !originOk) {
      return forbidden(reply, `WebSocket origin ${origin} is not allowed; open the UI from ${selfOrigin()}`);
    }
    // The UI's own files hold no data: the page loads without a credential and then presents
    // the token it was opened with (Authorization on fetch, a subprotocol on the socket).
    if (isStaticUiRequest(req.method, path)) return;
    if (!authenticate(req, token)) {
      const delay = throttle.fail(req.ip, presentedCredential(req) ? 'wrong token' : 'no token');
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      return sendError(
        reply,
        new ApiError(
          'unauthorized',
          'Missing or wrong token. Open the link jetdeck serve printed (it ends in ?token=...), ' +
            'or send "Authorization: Bearer <token>".',
        ),
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

  // Liveness: the process answers. Readiness: NATS is connected with JetStream (503 when not).
  app.get('/api/health', async () => healthOf(core));
  app.get('/api/health/ready', async (_req, reply) => {
    const h = readinessOf(core);
    return reply.code(h.ready ? 200 : 503).send(h);
  });

  app.post<{ Params: { method: string } }>('/api/call/:method', async (req, reply) => {
    const result = await core.router.dispatch(req.params.method, req.body, { transport: 'rest' });
    if (!result.ok) return sendError(reply, ApiError.fromEnvelope(result.error));
    return reply.code(200).send(result);
  });

  await registerTaskRoutes(app, core.features.tasks, core.features.views);
  await registerMetricsRoutes(app, core.features.monitor);
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

/** GET/HEAD of the browser UI's files (and its client-side routes): everything but the API. */
function isStaticUiRequest(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return !(path === '/api' || path.startsWith('/api/') || path === WS_PATH || path === '/metrics');
}

function hasNulHeader(req: FastifyRequest): boolean {
  const raw = req.raw.rawHeaders;
  for (let i = 0; i < raw.length; i++) if (raw[i]!.includes('\0')) return true;
  return false;
}

/**
 * JSON bodies, where an empty body means "no input" (methods whose input is optional). Only
 * UTF-8 is accepted (a charset parameter naming anything else is a 415), and a body nested
 * deeper than MAX_INPUT_DEPTH is refused before any schema or handler sees it.
 */
function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      const err = new ApiError('invalid_input', `unsupported charset ${charset}; send UTF-8 JSON`);
      return done(Object.assign(err, { statusCode: 415 }), undefined);
    }
    const text = (body as Buffer).toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return done(
        new ApiError('invalid_input', `request body is not valid JSON (${jsonErrorMessage(err)})`),
        undefined,
      );
    }
    if (exceedsDepth(value, MAX_INPUT_DEPTH)) {
      return done(
        new ApiError('invalid_input', `request body is nested more than ${MAX_INPUT_DEPTH} levels deep`),
        undefined,
      );
    }
    done(null, value);
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
