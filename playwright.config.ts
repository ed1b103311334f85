import { defineConfig } from '@playwright/test';

/**
 * Browser e2e against `jetdeck serve` (see e2e/fixtures.ts). Debian's Chromium is used
 * directly: `npx playwright install` needs a download host we do not have.
 * The Electron specs in e2e/electron/ run through their own launcher and are ignored here.
 */
export default defineConfig({
  testDir: 'e2e',
  testIgnore: ['electron/**'],
  workers: 2,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: 'list',
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.JETDECK_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
    },
  },
});
