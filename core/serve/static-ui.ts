import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../api/errors';
import { WS_PATH } from '../../api/ws-protocol';
import { sendError } from './rest';

/**
 * The browser UI: files from `uiDir` (the renderer build), with a single-page-app fallback to
 * index.html for client-side routes. @fastify/static (via `send`) already refuses paths that
 * climb out of the root; `hasPathEscape` rejects them before routing as a second line.
 */

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>JetDeck: UI not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>UI not built: run npm run build</h1>
<p>JetDeck's server is running and its API answers at <code>/api</code> and <code>/ws</code>,
but the browser UI has not been built into this folder yet. Run <code>npm run build</code>
in the JetDeck folder, then reload this page.</p>
</body></html>
`;

/** True when the (percent-decoded) path contains a `..` segment, a NUL or is undecodable. */
export function hasPathEscape(rawUrl: string): boolean {
  const path = rawUrl.split('?')[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true;
  }
  return decoded.includes('\0') || decoded.split(/[\\/]/).some((seg) => seg === '..');
}

export async function registerStaticUi(app: FastifyInstance, uiDir: string): Promise<void> {
  const indexFile = join(uiDir, 'index.html');
  if (existsSync(uiDir)) {
    await app.register(fastifyStatic, {
      root: uiDir,
      wildcard: true,
      index: ['index.html'],
      cacheControl: false,
      dotfiles: 'ignore',
    });
  }

  const sendIndex = (reply: FastifyReply) => {
    // Read per request: `npm run build` may produce it while the server runs.
    if (existsSync(indexFile)) {
      return reply.code(200).type('text/html; charset=utf-8').send(readFileSync(indexFile));
    }
    return reply.code(200).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
  };

  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '/';
    const isPage =
      (req.method === 'GET' || req.method === 'HEAD') &&
      !path.startsWith('/api/') &&
      path !== WS_PATH &&
      // A missing asset (has an extension) is a real 404, not a client-side route.
      !/\.[A-Za-z0-9]+$/.test(path);
    if (isPage) return sendIndex(reply);
    return sendError(reply, new ApiError('not_found', `no route for ${req.method} ${path}`));
  });
}
