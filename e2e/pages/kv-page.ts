import type { Locator, Page } from '@playwright/test';

/** The KV screen: bucket list, the open bucket, the key drawer and the new-bucket dialog. */
export class KvPage {
  readonly pane: Locator;
  readonly drawer: Locator;
  readonly createDialog: Locator;

  constructor(readonly page: Page) {
    this.pane = page.getByTestId('kv-bucket-pane');
    this.drawer = page.getByTestId('kv-key-drawer');
    this.createDialog = page.getByTestId('kv-create-dialog');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-kv').click();
    await this.page.getByTestId('kv-screen').waitFor();
  }

  bucket(name: string): Locator {
    return this.page.locator(`[data-testid="kv-bucket-row"][data-bucket="${name}"]`);
  }

  key(name: string): Locator {
    return this.pane.locator(`[data-testid="kv-key-row"][data-key="${name}"]`);
  }

  async createBucket(opts: { name: string; history?: string; ttl?: string; unit?: string }): Promise<void> {
    await this.page.getByTestId('kv-create').click();
    await this.createDialog.getByTestId('kv-create-name').fill(opts.name);
    if (opts.history) await this.createDialog.getByTestId('kv-create-history').fill(opts.history);
    if (opts.ttl) await this.createDialog.getByTestId('kv-create-ttl').fill(opts.ttl);
    if (opts.unit) await this.createDialog.getByTestId('kv-create-ttl-unit').selectOption(opts.unit);
    await this.createDialog.getByTestId('kv-create-submit').click();
  }

  /** Opens "New key", types the key and the value (JSON by default). */
  async newKey(key: string, value: string): Promise<void> {
    await this.pane.getByTestId('kv-new-key').click();
    await this.drawer.getByTestId('kv-key-name').fill(key);
    await this.drawer.getByTestId('kv-value').fill(value);
  }

  async openKey(key: string): Promise<void> {
    await this.key(key).click();
    await this.drawer.getByTestId('kv-entry-revision').waitFor();
  }

  async closeDrawer(): Promise<void> {
    await this.drawer.getByTestId('modal-close').click();
    await this.drawer.waitFor({ state: 'detached' });
  }
}
