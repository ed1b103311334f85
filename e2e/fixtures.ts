import { test as base, expect, type Page } from '@playwright/test';
import { startServer, type ServerOptions, type TestServer } from '../test/harness';
import { AppShell } from './pages/app-shell';
import { ConnectionsPage } from './pages/connections-page';
import { OverviewPage } from './pages/overview-page';
import { ServeProcess, type ServeOptions } from './serve-process';

interface Fixtures {
  /** Starts more harness servers; all are disposed after the test. */
  startNats: (opts?: ServerOptions) => Promise<TestServer>;
  /** How `serve` is started: against a fresh harness server unless `nats` or `embedded` is set. */
  serveOptions: ServeOptions & { embedded?: boolean };
  serve: ServeProcess;
  /** The page opened at the token URL, with the app ready. */
  app: Page;
  shell: AppShell;
  connections: ConnectionsPage;
  overview: OverviewPage;
}

export const test = base.extend<Fixtures>({
  serveOptions: [{}, { option: true }],
  // Playwright reads fixture dependencies from the destructuring pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  startNats: async ({}, use) => {
    const started: TestServer[] = [];
    await use(async (opts) => {
      const s = await startServer(opts);
      started.push(s);
      return s;
    });
    await Promise.all(started.map((s) => s.dispose()));
  },
  serve: async ({ serveOptions, startNats }, use, testInfo) => {
    // By default serve runs against its own harness nats-server; `embedded` uses JetDeck's local one.
    let nats = serveOptions.nats;
    if (!nats && !serveOptions.embedded) nats = (await startNats({ name: `e2e-main-${process.pid}` })).url;
    const serve = await new ServeProcess().start({ nats });
    await use(serve);
    await serve.dispose();
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('jetdeck-serve-output', { body: serve.output, contentType: 'text/plain' });
    }
  },
  app: async ({ page, serve }, use) => {
    await page.goto(serve.url);
    await page.locator('body[data-app-state="ready"]').waitFor();
    await use(page);
  },
  shell: async ({ app }, use) => use(new AppShell(app)),
  connections: async ({ app }, use) => use(new ConnectionsPage(app)),
  overview: async ({ app }, use) => use(new OverviewPage(app)),
});

export { expect };
