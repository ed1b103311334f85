import type { Locator, Page } from '@playwright/test';

export interface NewProfile {
  name: string;
  servers: string[];
  auth?:
    | { kind: 'none' }
    | { kind: 'userpass'; user: string; password: string }
    | { kind: 'token'; token: string };
}

/** The Connections screen and its add/edit dialog. */
export class ConnectionsPage {
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByTestId('profile-dialog');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-connections').click();
    await this.page.getByTestId('connections-screen').waitFor();
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="profile-row"][data-profile-name="${name}"]`);
  }

  async fillForm(p: NewProfile): Promise<void> {
    const d = this.dialog;
    await d.getByTestId('field-name').fill(p.name);
    await d.getByTestId('field-servers').fill(p.servers.join('\n'));
    const auth = p.auth ?? { kind: 'none' };
    await d.getByTestId('field-auth-kind').selectOption(auth.kind);
    if (auth.kind === 'userpass') {
      await d.getByTestId('field-auth-user').fill(auth.user);
      await d.getByTestId('field-auth-password').fill(auth.password);
    } else if (auth.kind === 'token') {
      await d.getByTestId('field-auth-token').fill(auth.token);
    }
  }

  /** Adds a profile through the dialog and waits for its row. */
  async add(p: NewProfile): Promise<Locator> {
    await this.page.getByTestId('add-connection').click();
    await this.fillForm(p);
    await this.dialog.getByTestId('profile-save').click();
    await this.dialog.waitFor({ state: 'detached' });
    const row = this.row(p.name);
    await row.waitFor();
    return row;
  }

  async connect(name: string): Promise<void> {
    await this.row(name).getByTestId('profile-connect').click();
  }
}
