import { defineConfig } from '@playwright/test';

/**
 * Electron e2e (Playwright `_electron`): `npm run build` first, then
 * `npx playwright test -c e2e/electron/playwright.electron.config.ts` (under xvfb-run on a
 * headless Linux box). Without the Electron binary every spec is skipped with the reason printed.
 * Set JETDECK_E2E_EXECUTABLE to a packaged JetDeck to run the same specs against the build.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.electron.spec.ts',
  // Each test launches its own app with its own data folder; one at a time on a 2-core box.
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: 'list',
  outputDir: '../../test-results/electron',
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
});
