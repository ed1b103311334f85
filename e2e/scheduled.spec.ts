import { expect, test } from './fixtures';
import { callApi } from './pages/api';
import { TasksPage } from './pages/tasks-page';
import { shoot } from './pages/shots';

test('scheduled tasks: the Run field schedules, the Scheduled tab counts down, releases when due and cancels', async ({
  app,
  shell,
  serve,
}, testInfo) => {
  const tasks = await TasksPage.connected(app, shell);

  // A bad Run value is refused on its field before anything is sent.
  await tasks.publish({ type: 'echo', payload: '{}', id: 'e2e-bad', when: 'next tuesday' });
  await expect(app.getByTestId('error-publish-when')).toContainText('ISO 8601');

  // From the form: one task for later, one due in a few seconds.
  await tasks.publish({ type: 'report', payload: '{"month": "2026-11"}', id: 'e2e-later', when: '2h' });
  await expect(app.getByTestId('publish-result')).toContainText('tasks.scheduled');
  await expect(app.getByTestId('publish-result')).toContainText('runs at');
  await tasks.publish({ type: 'echo', payload: '{"soon": true}', id: 'e2e-soon', when: '10s' });
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

  await tasks.scheduledRow('nightly-cleanup').waitFor();
  await shoot(app, testInfo, 'tasks-scheduled', app.getByTestId('scheduled'), '[data-testid="scheduled"]');

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
