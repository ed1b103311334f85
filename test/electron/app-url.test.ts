import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  isSafeExternalUrl,
  mimeTypeFor,
  resolveAppFile,
} from '../../electron/app-url';

const root = mkdtempSync(join(tmpdir(), 'jetdeck-ui-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('app:// file resolution', () => {
  it('serves index.html for the entry URL and the bare origin', () => {
    expect(resolveAppFile(root, APP_ENTRY_URL)).toEqual({
      ok: true,
      file: join(root, 'index.html'),
      spaFallback: false,
    });
    expect(resolveAppFile(root, 'app://jetdeck/')).toMatchObject({
      ok: true,
      file: join(root, 'index.html'),
    });
  });

  it('maps asset paths under the root and decodes them', () => {
    expect(resolveAppFile(root, 'app://jetdeck/assets/index-abc.js')).toMatchObject({
      ok: true,
      file: join(root, 'assets', 'index-abc.js'),
    });
    expect(resolveAppFile(root, 'app://jetdeck/assets/a%20b.css?v=1#x')).toMatchObject({
      file: join(root, 'assets', 'a b.css'),
    });
  });

  it('falls back to index.html for extension-less client routes', () => {
    expect(resolveAppFile(root, 'app://jetdeck/streams/ORDERS')).toEqual({
      ok: true,
      file: join(root, 'index.html'),
      spaFallback: true,
    });
  });

  it('refuses paths that escape the UI folder, however they are spelled', () => {
    // URL parsing already folds dot segments (even %2e%2e) into the root...
    expect(resolveAppFile(root, 'app://jetdeck/%2e%2e/secret.json')).toMatchObject({
      file: join(root, 'secret.json'),
    });
    expect(resolveAppFile(root, 'app://jetdeck/assets/%2E%2E/%2E%2E/etc/hosts.json')).toMatchObject({
      file: join(root, 'etc', 'hosts.json'),
    });
    // ...but encoded slashes only become separators after decoding, so the root check must catch them.
    expect(resolveAppFile(root, 'app://jetdeck/..%2f..%2fetc%2fpasswd')).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(resolveAppFile(root, 'app://jetdeck/assets/..%2F..%2F..%2Fsecret')).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(resolveAppFile(root, 'app://jetdeck/a%5c..%5c..%5csecret')).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(resolveAppFile(root, 'app://jetdeck/a%00.js')).toMatchObject({ ok: false, status: 400 });
    expect(resolveAppFile(root, 'app://jetdeck/%E0%A4%A')).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses other hosts and schemes', () => {
    expect(resolveAppFile(root, 'app://evil/index.html')).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppFile(root, 'file:///etc/passwd')).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppFile(root, 'not a url')).toMatchObject({ ok: false, status: 400 });
  });

  it('labels content types so nosniff does not break scripts or styles', () => {
    expect(mimeTypeFor('x/index.html')).toMatch(/^text\/html/);
    expect(mimeTypeFor('a.JS')).toMatch(/^text\/javascript/);
    expect(mimeTypeFor('a.css')).toMatch(/^text\/css/);
    expect(mimeTypeFor('a.bin')).toBe('application/octet-stream');
  });
});

describe('URL policies', () => {
  it('trusts only our own origin for backend calls', () => {
    expect(isAppUrl('app://jetdeck/index.html')).toBe(true);
    expect(isAppUrl('app://jetdeck.evil/index.html')).toBe(false);
    expect(isAppUrl('https://jetdeck/index.html')).toBe(false);
    expect(isAppUrl('file:///work/out/renderer/index.html')).toBe(false);
  });

  it('opens only http(s) links without credentials externally', () => {
    expect(isSafeExternalUrl('https://docs.nats.io/')).toBe(true);
    expect(isSafeExternalUrl('http://localhost:8222/varz')).toBe(true);
    for (const bad of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user@evil/',
      'nonsense',
    ]) {
      expect(isSafeExternalUrl(bad), bad).toBe(false);
    }
  });

  it('has a CSP that forbids remote code, plugins, framing and base rewriting', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
  });
});
