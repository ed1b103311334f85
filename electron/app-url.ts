import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * The renderer is served from `app://jetdeck/…` rather than file://, so it gets a real origin
 * (CSP 'self', sender-frame checks) and cannot read arbitrary files. Pure helpers, no electron
 * import, so they are unit-tested without the binary.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'jetdeck';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Sent on every app:// response; matches what the renderer needs (inline styles for React/uPlot). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export function mimeTypeFor(file: string): string {
  return MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type AppFileLookup =
  { ok: true; file: string; spaFallback: boolean } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Maps an `app://jetdeck/<path>` URL to a file under `rootDir`. Rejects other hosts, encoded
 * NULs/backslashes and anything that resolves outside the root. Extension-less paths fall back
 * to index.html so client-side routes survive a reload.
 */
export function resolveAppFile(rootDir: string, rawUrl: string): AppFileLookup {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, status: 400, reason: 'malformed URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) {
    return { ok: false, status: 403, reason: `unexpected origin ${url.protocol}//${url.host}` };
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'malformed path encoding' };
  }
  if (pathname.includes('\0') || pathname.includes('\\')) {
    return { ok: false, status: 400, reason: 'illegal character in path' };
  }
  const root = resolve(rootDir);
  const wanted = pathname === '/' || pathname === '' ? '/index.html' : pathname;
  const file = resolve(root, `.${wanted}`);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
    return { ok: false, status: 403, reason: 'path escapes the UI folder' };
  }
  const spaFallback = extname(file) === '';
  return { ok: true, file: spaFallback ? resolve(root, 'index.html') : file, spaFallback };
}

/** True for URLs of our own UI (the only frames allowed to call the backend). */
export function isAppUrl(rawUrl: string): boolean {
  return rawUrl.startsWith(`${APP_ORIGIN}/`);
}

/** Only plain web links may leave the app, and only to the OS browser. */
export function isSafeExternalUrl(rawUrl: string): boolean {
  try {
    const url = new URL(rawUrl);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && !url.username;
  } catch {
    return false;
  }
}
