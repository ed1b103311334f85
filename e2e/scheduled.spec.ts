import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { callApi } from './pages/api';
import { TasksPage } from './pages/tasks-page';

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const toggle = page.getByTestId('theme-toggle');
  for (let i = 0; i < 3; i++) {
    if ((await page.locator('html').getAttribute('data-theme')) === theme) return;
    await toggle.click();
  }
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

test('scheduled tasks: the Run field schedules, the Scheduled tab counts down, releases when due and cancels', async ({
  app,
  shell,
  serve,
}, testInfo) => {
  await shell.waitForState('connected');
  const tasks = new TasksPage(app);
  await tasks.open();

  // A bad Run value is refused on its field before anything is sent.
  await tasks.publish({ type: 'echo', payload: '{}', id: 'e2e-bad', when: 'next tuesday' });
  await expect(app.getByTestId('error-publish-when')).toContainText('ISO 8601');

  // From the form: one task for later, one due in a few seconds.
  await tasks.publish({ type: 'report', payload: '{"month": "2026-11"}', id: 'e2e-later', when: '2h' });
  await expect(app.getByTestId('publish-result')).toContainText('tasks.scheduled');
  await expect(app.getByTestId('publish-result')).toContainText('runs at');
  await tasks.publish({ type: 'echo', payload: '{"soon": true}', id: 'e2e-soon', when: '4s' });
  await expect(app.getByTestId('publish-result-id')).toHaveText('e2e-soon');
  // And two through the API, as scripts do (run_at and a delay text).
  await callApi(serve, 'tasks.publish', {
    type: 'send-invoice',
    id: 'inv-2026-0042',
    payload: { customer: 'c-981' },
    priority: 'high',
    run_at: new Date(Date.now() + 26 * 3600_000).toISOString(),
  });
  await callApi(serve, 'tasks.publish', { type: 'cleanup', id: 'nightly-cleanup', delay: '45m' });

  await tasks.openScheduled();
  await expect(tasks.scheduledRow('e2e-later')).toBeVisible();
  await expect(tasks.scheduledRow('e2e-later').getByTestId('scheduled-due')).toContainText(
    /in 1h 59m|in 2h 0m/,
  );
  await expect(app.getByTestId('scheduled-row').first()).toHaveAttribute('data-task-id', 'e2e-soon');

  for (const theme of ['dark', 'light'] as const) {
    await setTheme(app, theme);
    for (const size of [
      { width: 1280, height: 800 },
      { width: 1920, height: 1080 },
    ]) {
      await app.setViewportSize(size);
      await tasks.scheduledRow('nightly-cleanup').waitFor();
      await app.getByTestId('scheduled').scrollIntoViewIfNeeded();
      const name = `tasks-scheduled-${theme}-${size.width}.png`;
      await testInfo.attach(name, { body: await app.screenshot(), contentType: 'image/png' });
      if (process.env.JETDECK_SHOTS_DIR)
        await app.screenshot({ path: `${process.env.JETDECK_SHOTS_DIR}/${name}` });
      const overflow = await app.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect.soft(overflow, `${theme} at ${size.width}px overflows`).toBeLessThanOrEqual(0);
    }
    const result = await new AxeBuilder({ page: app }).include('[data-testid="scheduled"]').analyze();
    const bad = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} ×${v.nodes.length}`);
    expect.soft(bad, `Scheduled tab in ${theme}`).toEqual([]);
  }

  // Due: serve's releaser hands it to tasks.new (no worker runs here), so it leaves the tab.
  await expect(tasks.scheduledRow('e2e-soon')).toHaveCount(0, { timeout: 30_000 });
  const soon = await callApi(serve, 'tasks.get', { id: 'e2e-soon' });
  expect(soon.status).toBe('pending');
  expect(soon.subject).toBe('tasks.new');

  // Cancel from the tab: gone from the list, cancelled in the state.
  await tasks.scheduledRow('e2e-later').getByTestId('scheduled-cancel').click();
  await expect(tasks.scheduledRow('e2e-later')).toHaveCount(0);
  expect((await callApi(serve, 'tasks.get', { id: 'e2e-later' })).status).toBe('cancelled');
  // It leaves the count at once, not two hours from now: inv-2026-0042 and nightly-cleanup wait.
  await expect(app.getByTestId('scheduled-count')).toHaveText('2 waiting in tasks.scheduled');
});
