import type { Locator, Page } from '@playwright/test';

/** The Core NATS screen: send form (publish / request), subscriptions with their live lists. */
export class CoreNatsPage {
  readonly screen: Locator;
  readonly send: Locator;
  readonly outcome: Locator;
  readonly reply: Locator;
  readonly sub: Locator;
  readonly rows: Locator;
  readonly detail: Locator;

  constructor(readonly page: Page) {
    this.screen = page.getByTestId('corenats-screen');
    this.send = page.getByTestId('cn-send');
    this.outcome = page.getByTestId('cn-outcome');
    this.reply = page.getByTestId('cn-reply-view');
    this.sub = page.getByTestId('cn-sub');
    this.rows = page.getByTestId('cn-row');
    this.detail = page.getByTestId('cn-detail');
  }

  async subscribe(subject: string, queue?: string): Promise<void> {
    await this.page.getByTestId('cn-sub-subject').fill(subject);
    if (queue) await this.page.getByTestId('cn-sub-queue').fill(queue);
    await this.page.getByTestId('cn-sub-submit').click();
    await this.page.locator(`[data-testid="cn-sub"][data-state="running"]`).waitFor();
  }

  async publish(subject: string, payload: string, headers: [string, string][] = []): Promise<void> {
    await this.page.getByTestId('cn-mode-publish').click();
    await this.fill(subject, payload, headers);
    await this.page.getByTestId('cn-send-submit').click();
  }

  async request(subject: string, payload: string, timeoutMs?: number): Promise<void> {
    await this.page.getByTestId('cn-mode-request').click();
    await this.fill(subject, payload, []);
    if (timeoutMs !== undefined) await this.page.getByTestId('cn-timeout').fill(String(timeoutMs));
    await this.page.getByTestId('cn-send-submit').click();
  }

  private async fill(subject: string, payload: string, headers: [string, string][]): Promise<void> {
    await this.page.getByTestId('cn-subject').fill(subject);
    await this.page.getByTestId('cn-payload').fill(payload);
    for (const [k, v] of headers) {
      await this.send.getByTestId('header-add').click();
      await this.send.getByTestId('header-key').last().fill(k);
      await this.send.getByTestId('header-value').last().fill(v);
    }
  }
}
