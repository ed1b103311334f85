import type { Locator, Page } from '@playwright/test';
import type { AppShell } from './app-shell';

export interface PublishSpec {
  type: string;
  payload?: string;
  id?: string;
  count?: number;
  maxAttempts?: number;
  /** The Run field: a delay ("5m") or a time; empty = now. */
  when?: string;
}

/** The Tasks screen: publish form, task table, detail drawer and dead letters. */
export class TasksPage {
  readonly screen: Locator;
  readonly form: Locator;
  readonly rows: Locator;
  readonly detail: Locator;
  readonly deadLetters: Locator;
  readonly bulk: Locator;

  constructor(readonly page: Page) {
    this.screen = page.getByTestId('tasks-screen');
    this.form = page.getByTestId('publish-form');
    this.rows = page.getByTestId('task-row');
    this.detail = page.getByTestId('task-detail');
    this.deadLetters = page.getByTestId('dead-letters');
    this.bulk = page.getByTestId('bulk-progress');
  }

  /** The Tasks screen, opened once the app is connected. */
  static async connected(page: Page, shell: AppShell): Promise<TasksPage> {
    await shell.waitForState('connected');
    const tasks = new TasksPage(page);
    await tasks.open();
    return tasks;
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-tasks').click();
    await this.screen.waitFor();
  }

  async publish(p: PublishSpec): Promise<void> {
    const f = this.form;
    await f.getByTestId('publish-type').fill(p.type);
    await f.getByTestId('publish-payload-input').fill(p.payload ?? '');
    await f.getByTestId('publish-id').fill(p.id ?? '');
    await f.getByTestId('publish-count').fill(String(p.count ?? 1));
    await f.getByTestId('publish-max-attempts').fill(p.maxAttempts ? String(p.maxAttempts) : '');
    await f.getByTestId('publish-when').fill(p.when ?? '');
    await f.getByTestId('publish-submit').click();
  }

  /** The live count on a status chip ('all' for the total). */
  chipCount(status: string): Locator {
    return this.page.getByTestId(`status-chip-${status}`).getByTestId('chip-count');
  }

  row(id: string): Locator {
    return this.page.locator(`[data-testid="task-row"][data-task-id="${id}"]`);
  }

  async openTask(id: string): Promise<void> {
    await this.row(id).click();
    await this.detailBody(id).waitFor();
  }

  detailBody(id?: string): Locator {
    return id
      ? this.page.locator(`[data-testid="task-detail-body"][data-task-id="${id}"]`)
      : this.page.getByTestId('task-detail-body');
  }

  async closeDetail(): Promise<void> {
    await this.detail.getByTestId('modal-close').click();
    await this.detail.waitFor({ state: 'detached' });
  }

  /** Opens the Dead letters tab, grouped by error or as every letter. */
  async openDeadLetters(view: 'groups' | 'letters' = 'letters'): Promise<void> {
    await this.page.getByTestId('tab-dead').click();
    await this.deadLetters.waitFor();
    await this.page.getByTestId(view === 'groups' ? 'dead-view-groups' : 'dead-view-letters').click();
  }

  /** The group whose normalised error message is `message`. */
  deadGroup(message: string): Locator {
    return this.page
      .getByTestId('dead-group')
      .filter({ has: this.page.getByTestId('dead-group-message').getByText(message, { exact: true }) });
  }

  async openScheduled(): Promise<void> {
    await this.page.getByTestId('tab-scheduled').click();
    await this.page.getByTestId('scheduled').waitFor();
  }

  scheduledRow(id: string): Locator {
    return this.page.locator(`[data-testid="scheduled-row"][data-task-id="${id}"]`);
  }

  deadLetter(id: string): Locator {
    return this.page.locator(`[data-testid="dead-letter"][data-task-id="${id}"]`);
  }
}
