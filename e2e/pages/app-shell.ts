import type { Locator, Page } from '@playwright/test';
import type { ScreenId } from '../../renderer/screen-ids';

export type { ScreenId };

/** Sidebar, status bar, toasts and the command palette: what every screen shares. */
export class AppShell {
  readonly connectionStatus: Locator;
  readonly transportStatus: Locator;
  readonly errorToasts: Locator;

  constructor(readonly page: Page) {
    this.connectionStatus = page.getByTestId('connection-status');
    this.transportStatus = page.getByTestId('transport-status');
    this.errorToasts = page.getByTestId('toast-error');
  }

  async goto(screen: ScreenId): Promise<void> {
    await this.page.getByTestId(`nav-${screen}`).click();
  }

  /** Waits until the status bar shows this connection state (connected, error, ...). */
  async waitForState(state: string): Promise<void> {
    await this.page.locator(`[data-testid="connection-status"][data-state="${state}"]`).waitFor();
  }

  async openPalette(): Promise<Locator> {
    await this.page.keyboard.press('ControlOrMeta+k');
    const palette = this.page.getByTestId('command-palette');
    await palette.waitFor();
    return palette;
  }
}
