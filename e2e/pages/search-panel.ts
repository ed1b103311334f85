import type { Locator, Page } from '@playwright/test';

/** The search panel of the Messages screen: criterion, limits, progress, hits. */
export class SearchPanel {
  readonly panel: Locator;
  readonly hits: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('search-panel');
    this.hits = page.getByTestId('search-hit');
    this.status = page.getByTestId('search-status');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('open-search').click();
    await this.panel.waitFor();
  }

  private field(name: string): Locator {
    return this.panel.getByTestId(`search-${name}`);
  }

  async text(text: string): Promise<void> {
    await this.field('kind').selectOption('text');
    await this.field('text').fill(text);
  }

  async json(path: string, op: 'equals' | 'contains', value: string): Promise<void> {
    await this.field('kind').selectOption('json');
    await this.field('path').fill(path);
    await this.field('json-op').selectOption(op);
    await this.field('value').fill(value);
  }

  async header(name: string, op: 'equals' | 'contains' | 'exists', value = ''): Promise<void> {
    await this.field('kind').selectOption('header');
    await this.field('header').fill(name);
    await this.field('header-op').selectOption(op);
    if (op !== 'exists') await this.field('value').fill(value);
  }

  async limits(l: { fromSeq?: string; toSeq?: string; maxResults?: string; maxScanned?: string }) {
    for (const [k, v] of Object.entries(l)) await this.field(k).fill(v);
  }

  async start(): Promise<void> {
    await this.field('start').click();
  }

  /** Waits until the search is no longer running (done, cancelled or failed). */
  async finished(): Promise<string> {
    await this.page.locator('[data-testid="search-status"]:not([data-state="running"])').waitFor();
    return (await this.status.getAttribute('data-state')) ?? '';
  }

  hit(seq: number): Locator {
    return this.page.locator(`[data-testid="search-hit"][data-seq="${seq}"]`);
  }

  async hitSeqs(): Promise<number[]> {
    return this.hits.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
  }
}
