import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_SCHEME, CONTENT_SECURITY_POLICY, mimeTypeFor, resolveAppFile } from './app-url';

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

/** Must run before `app.ready`: makes app:// a standard, secure origin (fetch, CSP 'self'). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
}

/** Serves the built renderer (`out/renderer`) on app://jetdeck/, read-only, with the CSP on every response. */
export function serveRendererFrom(rootDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'method not allowed');
    const lookup = resolveAppFile(rootDir, request.url);
    if (!lookup.ok) return textResponse(lookup.status, lookup.reason);
    try {
      const body = await readFile(lookup.file);
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: {
          ...SECURITY_HEADERS,
          'Content-Type': mimeTypeFor(lookup.file),
          'Cache-Control': 'no-cache',
        },
      });
    } catch {
      return textResponse(404, 'not found');
    }
  });
}

function textResponse(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  });
}
