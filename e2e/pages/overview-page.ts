import type { Locator, Page } from '@playwright/test';

export class OverviewPage {
  readonly serverName: Locator;
  readonly serverVersion: Locator;
  readonly jetstream: Locator;
  readonly notConnected: Locator;

  constructor(readonly page: Page) {
    this.serverName = page.getByTestId('overview-server-name');
    this.serverVersion = page.getByTestId('overview-server-version');
    this.jetstream = page.getByTestId('overview-jetstream-enabled');
    this.notConnected = page.getByTestId('overview-not-connected');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-overview').click();
    await this.page.getByTestId('overview-screen').waitFor();
  }
}
