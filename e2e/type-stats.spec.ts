import { expect, test } from './fixtures';
import { callApi } from './pages/api';
import { MonitorPage } from './pages/monitor-page';
import { shoot } from './pages/shots';
import { WorkersPage } from './pages/workers-page';

/** Per task type throughput, failure rate and latency on Workers and on Monitor's charts. */
test('per task type: throughput, failure rate and latency on Workers and Monitor', async ({
  app,
  serve,
}, testInfo) => {
  const workers = new WorkersPage(app);
  await workers.open();
  await workers.start({ threads: 1 });
  const table = app.getByTestId('type-stats');
  await expect(table.getByTestId('type-stats-empty')).toBeVisible();

  for (let i = 0; i < 12; i++) await callApi(serve, 'tasks.publish', { type: 'echo', payload: { i } });
  for (let i = 0; i < 3; i++)
    await callApi(serve, 'tasks.publish', {
      type: 'fail',
      payload: { message: `bad ${i}` },
      max_attempts: 1,
    });

  const echo = table.locator('[data-testid="type-stats-row"][data-type="echo"]');
  const fail = table.locator('[data-testid="type-stats-row"][data-type="fail"]');
  await expect(echo.getByTestId('type-stats-completed')).toHaveText('12');
  await expect(fail.getByTestId('type-stats-failed')).toHaveText('3');
  // Rates need two samples a few seconds apart: the table says when they cover a window.
  await expect(table).toContainText(/rates over the last \d+ s/);
  // The pool is one worker of the fleet the figures cover (a `jetdeck worker` would add one).
  await expect(table.getByTestId('type-stats-workers')).toContainText('1 worker');
  await expect(echo.getByTestId('type-stats-workers-count')).toHaveText('1');
  await expect(fail.getByTestId('type-stats-failure-rate')).toHaveText('100.0%');
  await expect(echo.getByTestId('type-stats-failure-rate')).toHaveText('0.0%');
  await shoot(app, testInfo, 'workers-type-stats', table);

  const monitor = new MonitorPage(app);
  await monitor.open();
  await monitor.tab('charts');
  const mt = app.getByTestId('monitor-type-stats');
  await expect(mt.locator('[data-testid="monitor-type-stats-row"][data-type="fail"]')).toBeVisible();
  await expect(
    mt
      .locator('[data-testid="monitor-type-stats-row"][data-type="echo"]')
      .getByTestId('monitor-type-stats-completed'),
  ).toHaveText('12');
  await shoot(app, testInfo, 'monitor-type-stats', mt);
});
