import type { Locator, Page } from '@playwright/test';

/** The Streams screen, its detail drawer, editor and destructive dialogs. */
export class StreamsPage {
  readonly table: Locator;
  readonly detail: Locator;
  readonly editor: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByTestId('streams-table');
    this.detail = page.getByTestId('stream-detail');
    this.editor = page.getByTestId('stream-editor');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-streams').click();
    await this.page.getByTestId('streams-screen').waitFor();
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="stream-row"][data-stream="${name}"]`);
  }

  async search(text: string): Promise<void> {
    await this.page.getByTestId('streams-search').fill(text);
  }

  async openDetail(name: string): Promise<void> {
    await this.row(name).click();
    await this.detail.getByTestId('stream-state').waitFor();
  }

  async closeDetail(): Promise<void> {
    await this.detail.getByTestId('modal-close').click();
    await this.detail.waitFor({ state: 'detached' });
  }

  /** Opens "New stream", fills the common fields and submits. */
  async create(name: string, subjects: string): Promise<void> {
    await this.page.getByTestId('create-stream').click();
    await this.editor.getByTestId('field-stream-name').fill(name);
    await this.editor.getByTestId('field-stream-subjects').fill(subjects);
    await this.editor.getByTestId('editor-submit').click();
  }

  /** Types the name into a confirmation that requires it and confirms. */
  async confirmTyped(dialog: Locator, name: string): Promise<void> {
    await dialog.getByTestId('confirm-text').fill(name);
    await dialog.getByTestId('confirm-ok').click();
  }
}
