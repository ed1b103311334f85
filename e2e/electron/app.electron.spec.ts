import type { CallResult } from '../../api/client';
import type { ConnectionStatus } from '../../api/features/connections';
import type { PreloadApi } from '../../api/preload-api';
import { expect, skipWithoutElectron, test } from './electron-app';

skipWithoutElectron(test);

/**
 * The renderer globals these specs touch. This file compiles under the Node tsconfig (no DOM
 * lib), so page callbacks cast `globalThis` to this instead.
 */
interface RendererGlobals {
  jetdeck?: PreloadApi;
  require?: unknown;
  process?: unknown;
  module?: unknown;
  location: { href: string };
  open(url: string): unknown;
  navigator: { mediaDevices: { getUserMedia(c: { audio: boolean }): Promise<unknown> } };
  Notification: { requestPermission(): Promise<string> };
}

/** Not in electron.d.ts but present at run time: the preferences the window was created with. */
interface WithLastWebPreferences {
  getLastWebPreferences(): Record<string, unknown> | null;
}

test('opens the main window on app://jetdeck with the UI ready', async ({ app, ui }) => {
  await expect(ui.locator('body')).toHaveAttribute('data-app-state', 'ready');
  expect(ui.url()).toMatch(/^app:\/\/jetdeck\//);
  expect(app.windows()).toHaveLength(1);
});

test('main window runs with contextIsolation, sandbox and no node integration', async ({ app, ui }) => {
  await expect(ui.locator('body')).toHaveAttribute('data-app-state', 'ready');
  const prefs = await app.evaluate(({ BrowserWindow }) => {
    const contents = BrowserWindow.getAllWindows()[0].webContents as unknown as WithLastWebPreferences;
    const p = contents.getLastWebPreferences();
    return (
      p && {
        contextIsolation: p.contextIsolation,
        sandbox: p.sandbox,
        nodeIntegration: p.nodeIntegration,
        webSecurity: p.webSecurity,
        webviewTag: p.webviewTag,
      }
    );
  });
  expect(prefs).toEqual({
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    webSecurity: true,
    webviewTag: false,
  });
});

test('the renderer sees no Node and only the typed transport', async ({ ui }) => {
  const globals = await ui.evaluate(() => {
    const g = globalThis as unknown as RendererGlobals;
    return {
      require: typeof g.require,
      process: typeof g.process,
      module: typeof g.module,
      jetdeck: Object.keys(g.jetdeck ?? {}).sort(),
      kind: g.jetdeck?.kind,
    };
  });
  expect(globals).toEqual({
    require: 'undefined',
    process: 'undefined',
    module: 'undefined',
    jetdeck: ['kind', 'onEvent', 'request'],
    kind: 'ipc',
  });
});

test('calls cross IPC with typed results and error envelopes', async ({ ui }) => {
  const call = (method: string, input: unknown) =>
    ui.evaluate(([m, i]) => (globalThis as unknown as RendererGlobals).jetdeck!.request(m as string, i), [
      method,
      input,
    ] as const);
  expect(await call('app.info', {})).toMatchObject({ ok: true, result: { mode: 'electron' } });
  expect(await call('no.such.method', {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
  expect(await call('connections.connect', { id: 42 })).toMatchObject({
    ok: false,
    error: { code: 'invalid_input' },
  });
});

test('uses JETDECK_DATA_DIR and connects to the server in JETDECK_NATS_URL', async ({
  app,
  ui,
  nats,
  dataDir,
}) => {
  expect(await app.evaluate(({ app }) => app.getPath('userData'))).toBe(dataDir);
  const status = async (): Promise<ConnectionStatus | string> => {
    const res: CallResult = await ui.evaluate(() =>
      (globalThis as unknown as RendererGlobals).jetdeck!.request('connections.status', {}),
    );
    return res.ok ? (res.result as ConnectionStatus) : res.error.code;
  };
  await expect
    .poll(async () => ((await status()) as ConnectionStatus).state, { timeout: 20_000 })
    .toBe('connected');
  expect(((await status()) as ConnectionStatus).server).toContain(`:${nats.port}`);
});

test('navigation away from the app and new windows are blocked', async ({ app, ui }) => {
  const before = ui.url();
  // Record navigation attempts in main; the app's own handler (registered first) prevents them.
  await app.evaluate(({ BrowserWindow }) => {
    const g = globalThis as unknown as { attempts: string[] };
    g.attempts = [];
    BrowserWindow.getAllWindows()[0].webContents.on('will-navigate', (_e, url) => g.attempts.push(url));
  });
  await ui.evaluate(() => {
    (globalThis as unknown as RendererGlobals).location.href = 'https://example.com/';
  });
  await expect
    .poll(() => app.evaluate(() => (globalThis as unknown as { attempts: string[] }).attempts))
    .toContain('https://example.com/');
  expect(ui.url()).toBe(before);
  await expect(ui.locator('body')).toHaveAttribute('data-app-state', 'ready');

  // A non-web URL is neither opened in a window nor handed to the OS.
  const blocked = await ui.evaluate(
    () => (globalThis as unknown as RendererGlobals).open('file:///etc/passwd') === null,
  );
  expect(blocked).toBe(true);
  expect(app.windows()).toHaveLength(1);
});

test('permission requests are denied', async ({ ui }) => {
  const media = await ui.evaluate(async () => {
    try {
      await (globalThis as unknown as RendererGlobals).navigator.mediaDevices.getUserMedia({ audio: true });
      return 'granted';
    } catch (err) {
      return (err as Error).name;
    }
  });
  expect(media).not.toBe('granted');
  const notification = await ui.evaluate(() =>
    (globalThis as unknown as RendererGlobals).Notification.requestPermission(),
  );
  expect(notification).toBe('denied');
});

test('app:// responses carry the CSP and cannot reach files outside the UI', async ({ ui }) => {
  const probe = await ui.evaluate(async () => {
    const page = await fetch('app://jetdeck/index.html');
    const escape = await fetch('app://jetdeck/..%2f..%2fpackage.json');
    return { csp: page.headers.get('content-security-policy'), escape: escape.status };
  });
  expect(probe.csp).toContain("script-src 'self'");
  expect(probe.csp).toContain("frame-ancestors 'none'");
  expect(probe.escape).toBe(403);
});
