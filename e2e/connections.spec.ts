import { expect, test } from './fixtures';

test.describe('connections', () => {
  test('adds a profile for a second server, connects and shows its overview', async ({
    startNats,
    shell,
    connections,
    overview,
  }) => {
    const second = await startNats({ name: `e2e-second-${Date.now()}` });
    await connections.open();
    const row = await connections.add({ name: 'Second server', servers: [second.url] });
    await expect(row.getByTestId('profile-source')).toHaveText('user');

    await connections.connect('Second server');
    await shell.waitForState('connected');
    await expect(shell.connectionStatus).toContainText('Second server');
    await expect(shell.connectionStatus).toContainText(`127.0.0.1:${second.port}`);
    await expect(row).toHaveAttribute('data-active', 'true');

    await overview.open();
    await expect(overview.serverName).toHaveText(second.name);
    await expect(overview.serverVersion).toHaveText(/^\d+\.\d+\.\d+/);
    await expect(overview.jetstream).toHaveText('enabled');
  });

  test('a wrong password shows the server’s error', async ({ startNats, shell, connections, app }) => {
    const secured = await startNats({
      name: `e2e-auth-${Date.now()}`,
      extraConfig: 'authorization { users = [ {user: a, password: b} ] }',
    });
    await connections.open();
    await connections.add({
      name: 'Secured',
      servers: [secured.url],
      auth: { kind: 'userpass', user: 'a', password: 'not-b' },
    });
    await expect(connections.row('Secured')).toContainText('secret stored');

    await connections.connect('Secured');
    await shell.waitForState('error');
    await expect(shell.connectionStatus).toContainText(/Authorization Violation/i);
    await expect(connections.row('Secured').getByTestId('profile-status')).toContainText(
      /Authorization Violation/i,
    );

    // The error toast carries the full envelope one click away.
    const toast = shell.errorToasts.first();
    await expect(toast).toContainText(/Authorization Violation/i);
    await toast.getByTestId('toast-details').click();
    await expect(toast.locator('pre')).toContainText('"code": "auth_error"');
    await expect(app.locator('body')).toHaveAttribute('data-app-state', 'ready');
  });

  test('validates the form before saving', async ({ connections }) => {
    await connections.open();
    await connections.page.getByTestId('add-connection').click();
    await connections.dialog.getByTestId('field-name').fill('');
    await connections.dialog.getByTestId('field-servers').fill('not a url at all');
    await connections.dialog.getByTestId('profile-save').click();
    await expect(connections.dialog.getByTestId('error-name')).toHaveText('name is required');
    await expect(connections.dialog.getByTestId('error-servers')).toContainText('expected a server URL');
    await connections.page.keyboard.press('Escape');
    await expect(connections.dialog).toHaveCount(0);
  });
});
