import { SCREEN_IDS } from '../renderer/screen-ids';
import { expect, test } from './fixtures';

test.describe('app shell', () => {
  test.use({ serveOptions: { embedded: true } });

  test('starts on the embedded local server and shows its overview', async ({
    shell,
    connections,
    overview,
  }) => {
    await shell.waitForState('connected');
    await expect(shell.connectionStatus).toContainText('Local (embedded)');
    await overview.open();
    await expect(overview.serverName).toHaveText('jetdeck-local');
    await expect(overview.jetstream).toHaveText('enabled');

    await connections.open();
    const card = connections.page.getByTestId('local-server-card');
    await expect(card).toHaveAttribute('data-state', 'running');
    await card.getByTestId('local-server-log').click();
    await expect(connections.page.getByTestId('log-lines')).toContainText('Server is ready');
    await connections.page.keyboard.press('Escape');
    await expect(connections.page.getByTestId('log-drawer')).toHaveCount(0);
  });

  test('keyboard: palette navigates, Ctrl+digit switches screens, theme persists', async ({ shell, app }) => {
    const palette = await shell.openPalette();
    await palette.getByTestId('palette-input').fill('go to streams');
    await app.keyboard.press('Enter');
    await expect(app.getByTestId('streams-screen')).toBeVisible();
    await expect(app).toHaveURL(/#\/streams$/);

    // The digit is the screen's place in the sidebar.
    await app.keyboard.press(`ControlOrMeta+${SCREEN_IDS.indexOf('monitor') + 1}`);
    await expect(app.getByTestId('monitor-screen')).toBeVisible();
    // The tenth screen is on 0.
    await app.keyboard.press('ControlOrMeta+0');
    await expect(app).toHaveURL(new RegExp(`#/${SCREEN_IDS[9]}$`));

    await app.getByTestId('theme-toggle').click();
    await expect(app.getByTestId('theme-toggle')).toHaveAttribute('data-theme-pref', 'light');
    await expect(app.locator('html')).toHaveAttribute('data-theme', 'light');
    await app.reload();
    await app.locator('body[data-app-state="ready"]').waitFor();
    await expect(app.locator('html')).toHaveAttribute('data-theme', 'light');
  });

  test('the status bar says when the backend is unreachable', async ({ shell, serve }) => {
    await expect(shell.transportStatus).toHaveCount(0);
    await serve.dispose();
    await expect(shell.transportStatus).toHaveText(/backend unreachable, retrying/);
  });
});
