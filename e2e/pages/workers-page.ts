import { expect, type Locator, type Page } from '@playwright/test';

export interface PoolSpec {
  threads: number;
  concurrency?: number;
  /** File name inside the serve data folder's handlers/. */
  handlers?: string;
  types?: string;
}

/** The Workers screen: pool start/stop/scale and the per-worker cards. */
export class WorkersPage {
  readonly screen: Locator;
  readonly controls: Locator;
  readonly cards: Locator;
  readonly processedTotal: Locator;
  readonly empty: Locator;

  constructor(readonly page: Page) {
    this.screen = page.getByTestId('workers-screen');
    this.controls = page.getByTestId('pool-controls');
    this.cards = page.getByTestId('worker-card');
    this.processedTotal = page.getByTestId('pool-processed');
    this.empty = page.getByTestId('workers-empty');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-workers').click();
    await this.screen.waitFor();
  }

  /** Starts a pool from the form and waits until every thread's card reports running. */
  async start(p: PoolSpec): Promise<void> {
    const f = this.page.getByTestId('pool-start-form');
    await f.getByTestId('pool-threads').fill(String(p.threads));
    if (p.concurrency) await f.getByTestId('pool-concurrency').fill(String(p.concurrency));
    // A module in the data folder's handlers/ (listed by the server), never a typed path.
    if (p.handlers) {
      await f.getByTestId('pool-handlers-refresh').click();
      await f.getByTestId('pool-handlers').selectOption(p.handlers);
    }
    await f.getByTestId('pool-types').fill(p.types ?? '');
    await f.getByTestId('pool-start').click();
    await expect(this.controls).toHaveAttribute('data-state', 'running');
    await expect(this.page.locator('[data-testid="worker-card"][data-state="running"]')).toHaveCount(
      p.threads,
    );
  }

  /** Sum of the cards' processed counters. */
  async processedOnCards(): Promise<number> {
    const values = await this.cards.getByTestId('worker-processed').allTextContents();
    return values.reduce((n, v) => n + Number(v.replace(/,/g, '')), 0);
  }
}
