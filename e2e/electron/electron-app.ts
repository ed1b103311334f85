import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, test as base, type ElectronApplication, type Page } from '@playwright/test';
import { startServer, type TestServer } from '../../test/harness';

const repoRoot = resolve(import.meta.dirname, '../..');

/**
 * Where the Electron binary is, if anywhere: `JETDECK_E2E_EXECUTABLE` (a packaged JetDeck, so
 * the same specs run against the build) or the `electron` package's downloaded binary.
 */
function detectElectron(): { executable: string; packaged: boolean } | undefined {
  const packaged = process.env.JETDECK_E2E_EXECUTABLE;
  if (packaged) return existsSync(packaged) ? { executable: packaged, packaged: true } : undefined;
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? { executable: path, packaged: false } : undefined;
  } catch {
    return undefined; // "Electron failed to install correctly": the package is there, its binary is not
  }
}

export const electronBinary = detectElectron();
export const SKIP_REASON =
  'Electron e2e skipped: the Electron binary is not installed (download host unreachable); these specs run where it exists';

let skipNoticePrinted = false;
/** Skips the calling file when there is no binary, printing the reason once per run. */
export function skipWithoutElectron(test: typeof base): void {
  if (!electronBinary && !skipNoticePrinted) {
    skipNoticePrinted = true;
    console.log(SKIP_REASON);
  }
  test.skip(!electronBinary, SKIP_REASON);
}

interface ElectronFixtures {
  /** This launch's own data folder (JETDECK_DATA_DIR); removed afterwards. */
  dataDir: string;
  app: ElectronApplication;
  /** The main window, with the renderer reporting `data-app-state="ready"`. */
  ui: Page;
}

interface WorkerFixtures {
  /** A harness nats-server shared by the worker's tests, passed as JETDECK_NATS_URL. */
  nats: TestServer;
}

export const test = base.extend<ElectronFixtures, WorkerFixtures>({
  nats: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startServer({ name: `e2e-electron-${process.pid}` });
      await use(server);
      await server.dispose();
    },
    { scope: 'worker' },
  ],
  // eslint-disable-next-line no-empty-pattern
  dataDir: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'jetdeck-electron-e2e-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
  app: async ({ nats, dataDir }, use) => {
    if (!electronBinary) throw new Error(SKIP_REASON);
    const app = await electron.launch({
      executablePath: electronBinary.executable,
      // Unpackaged: run the built app (npm run build) from the repo root, as `electron .` would.
      // Chromium's OS sandbox cannot start as root (containers); the renderer sandbox stays on.
      args: [
        ...(electronBinary.packaged ? [] : [repoRoot]),
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ],
      cwd: repoRoot,
      env: { ...process.env, JETDECK_DATA_DIR: dataDir, JETDECK_NATS_URL: nats.url },
    });
    await use(app);
    await app.close();
  },
  ui: async ({ app }, use) => {
    const ui = await app.firstWindow();
    await ui.locator('body[data-app-state="ready"]').waitFor({ timeout: 30_000 });
    await use(ui);
  },
});

export { expect } from '@playwright/test';
