import type { Locator } from '@playwright/test';
import { jetstreamManager } from '@nats-io/jetstream';
import { expect, test } from './fixtures';
import { SCREEN_IDS } from '../renderer/screen-ids';
import { natsConnect } from './pages/messages-page';
import { callApi } from './pages/api';
import { TasksPage } from './pages/tasks-page';

/** Two boxes overlap when neither is fully on one side of the other. */
async function overlaps(a: Locator, b: Locator): Promise<boolean> {
  const x = (await a.boundingBox())!;
  const y = (await b.boundingBox())!;
  return !(x.x + x.width <= y.x || y.x + y.width <= x.x || x.y + x.height <= y.y || y.y + y.height <= x.y);
}

test.describe('walk-through rough edges', () => {
  test('screens use the width of a 1920 px window', async ({ app, shell }) => {
    await shell.waitForState('connected');
    await app.setViewportSize({ width: 1920, height: 1080 });
    for (const screen of ['overview', 'tasks', 'monitor', 'workers'] as const) {
      await shell.goto(screen);
      const main = (await app.locator('#main').boundingBox())!;
      const section = (await app.getByTestId(`${screen}-screen`).boundingBox())!;
      // Only the section's own padding is left over: no blank right third.
      expect(section.width, screen).toBeGreaterThan(main.width - 20);
    }
  });

  test('Overview shows the queue and the next step; no errors from JetDeck’s own setup', async ({
    app,
    shell,
    overview,
    serve,
  }) => {
    await shell.waitForState('connected');
    await overview.open();
    await expect(app.getByTestId('overview-api-calls')).toContainText('no errors since JetDeck connected');
    await expect(app.getByTestId('overview-next-publish')).toBeVisible();

    // Tasks wait with no worker: the backlog shows and the next step is to start workers.
    for (let i = 0; i < 3; i++) await callApi(serve, 'tasks.publish', { type: 'echo', payload: { i } });
    await expect(app.getByTestId('ov-backlog')).toHaveText('3');
    await expect(app.getByTestId('overview-next-workers')).toBeVisible();
    await app.getByTestId('overview-next-workers').click();
    await expect(app.getByTestId('workers-screen')).toBeVisible();
    // The command in the empty state is kept on one line.
    const code = app.getByTestId('workers-empty').locator('code');
    expect(await code.evaluate((el) => el.getClientRects().length)).toBe(1);
    // ...and the sentence around it flows as text, not as three narrow columns beside it.
    for (const width of [1280, 1920]) {
      await app.setViewportSize({ width, height: 900 });
      const lines = await code.evaluate((el) => {
        const range = el.ownerDocument.createRange();
        range.selectNodeContents(el.parentElement!.firstChild!);
        return range.getClientRects().length;
      });
      expect(lines, `lines of the text before the command at ${width} px`).toBe(1);
    }
  });

  test('visiting every screen adds no JetStream API errors (JetDeck’s own look-ups are not errors)', async ({
    app,
    shell,
    serve,
  }) => {
    // Contract calls the page sends and the answers it gets, by call id (frames seen from a reload).
    const sent = new Set<number>();
    const answered = new Set<number>();
    app.on('websocket', (ws) => {
      ws.on('framesent', (f) => {
        const m = /^\{"id":(\d+),"method"/.exec(String(f.payload));
        if (m) sent.add(Number(m[1]));
      });
      ws.on('framereceived', (f) => {
        const m = /"id":(\d+),"ok"/.exec(String(f.payload));
        if (m) answered.add(Number(m[1]));
      });
    });
    await app.reload();
    await app.locator('body[data-app-state="ready"]').waitFor();
    await shell.waitForState('connected');
    const nc = await natsConnect(serve.natsUrl!);
    try {
      const jsm = await jetstreamManager(nc);
      const errors = async () => (await jsm.getAccountInfo()).api.errors;
      // JetDeck's own setup (TASKS, its consumers and buckets created on first connect) is over
      // once the Overview has taken its baseline.
      await expect(app.getByTestId('overview-api-calls')).toContainText('since JetDeck connected');
      const settled = async () => {
        await expect.poll(() => [...sent].filter((id) => !answered.has(id)).length).toBe(0);
      };
      await settled();
      const before = await errors();
      for (const screen of SCREEN_IDS) {
        await shell.goto(screen);
        await app.getByTestId(`${screen}-screen`).waitFor();
        await settled();
        expect(await errors(), `JetStream API errors after opening ${screen}`).toBe(before);
      }
      for (const tab of ['tab-dead', 'tab-scheduled']) {
        await shell.goto('tasks');
        await app.getByTestId(tab).click();
        await settled();
        expect(await errors(), `JetStream API errors after opening ${tab}`).toBe(before);
      }
    } finally {
      await nc.close();
    }
  });

  test('a CRIT health check is badged on the sidebar and in the status bar', async ({
    app,
    shell,
    serve,
  }) => {
    await shell.waitForState('connected');
    await expect(app.getByTestId('status-health')).toHaveCount(0);
    // Pending work above 0 is critical; publish tasks no worker takes.
    await callApi(serve, 'monitor.config.set', {
      intervalMs: 250,
      thresholds: { consumer: { maxPending: { warn: null, crit: 0 } } },
    });
    await callApi(serve, 'tasks.publish', { type: 'echo', payload: {} });
    await expect(app.getByTestId('nav-health-crit')).toHaveText(/^[1-9]\d*$/);
    await expect(app.getByTestId('status-health')).toHaveAttribute('data-status', 'CRIT');
    await app.getByTestId('status-health').click();
    await expect(app.getByTestId('monitor-screen')).toBeVisible();
  });

  test('toasts never cover the drawer’s buttons; dialogs trap focus and give it back', async ({
    app,
    shell,
    serve,
  }) => {
    await shell.waitForState('connected');
    const { task } = await callApi(serve, 'tasks.publish', { type: 'echo', payload: {}, id: 'toast-1' });
    const tasks = new TasksPage(app);
    await tasks.open();
    await tasks.openTask(task.id);
    // Cancelling shows a toast while the drawer stays open with its buttons.
    await tasks.detail.getByTestId('task-cancel').click();
    const toast = app.getByTestId('toast-info').first();
    await expect(toast).toBeVisible();
    for (const button of await tasks.detail.locator('button').all()) {
      if (await button.isVisible()) expect(await overlaps(toast, button)).toBe(false);
    }
    await tasks.closeDetail();

    // Focus: the shortcuts dialog keeps Tab inside and returns focus to its opener on close.
    const opener = app.getByTestId('open-shortcuts');
    await opener.focus();
    await opener.press('Enter');
    const dialog = app.getByTestId('shortcuts-dialog');
    await expect(dialog).toBeVisible();
    for (let i = 0; i < 4; i++) {
      await app.keyboard.press('Tab');
      expect(await dialog.evaluate((d) => d.contains(d.ownerDocument.activeElement))).toBe(true);
      await app.keyboard.press('Shift+Tab');
      expect(await dialog.evaluate((d) => d.contains(d.ownerDocument.activeElement))).toBe(true);
    }
    await app.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(opener).toBeFocused();
  });
});

test('the Messages time box shows its whole value (date, time with ms, AM/PM)', async ({ app, shell }) => {
  await shell.waitForState('connected');
  await shell.goto('messages');
  await app.getByTestId('msg-stream').selectOption('TASKS');
  await app.getByTestId('msg-start-kind').selectOption('time');
  const box = app.getByTestId('msg-start-time');
  await box.fill('2026-11-30T23:59:59.999');
  // The input's own content width is what it needs; nothing scrolled out of view.
  const { scroll, client } = await box.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
  expect(client).toBeGreaterThanOrEqual(200);
});

test.describe('embedded server stopped from outside', () => {
  test.use({ serveOptions: { embedded: true } });

  test('a clean stop is a sentence, not a crash with a wall of log', async ({
    app,
    shell,
    connections,
    serve,
  }) => {
    await shell.waitForState('connected');
    const local = await callApi(serve, 'localServer.status');
    process.kill(local.pid!, 'SIGINT');
    await connections.open();
    const card = app.getByTestId('local-server-card');
    await expect(card).toHaveAttribute('data-state', 'stopped');
    await expect(card.getByTestId('local-server-note')).toHaveText(
      /^nats-server was stopped outside JetDeck and shut down cleanly \(.+\); start it again to reconnect\.$/,
    );
    await expect(card.getByTestId('local-server-error')).toHaveCount(0);
    await card.getByTestId('local-server-log').click();
    await expect(app.getByTestId('log-lines')).toContainText('Server Exiting');
  });
});
