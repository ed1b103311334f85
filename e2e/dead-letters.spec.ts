import { expect, test } from './fixtures';
import { callApi } from './pages/api';
import { shoot } from './pages/shots';
import { TasksPage } from './pages/tasks-page';
import { WorkersPage } from './pages/workers-page';

/**
 * Dead letters grouped by error: three "order N not found in <file>" failures form one group and
 * two flaky ones another; the flaky group is fixed with a JSON patch (dry run first) and its
 * re-published tasks complete; the order group is listed, then discarded.
 */
test('dead letters grouped by error: edit and retry with a dry run, show letters, discard a group', async ({
  app,
  serve,
}, testInfo) => {
  const workers = new WorkersPage(app);
  const tasks = new TasksPage(app);
  await workers.open();
  await workers.start({ threads: 1 });

  const orders = [11, 2048, 7].map((n) => `order ${n} not found in /data/in/${n}.csv`);
  for (const [i, message] of orders.entries())
    await callApi(serve, 'tasks.publish', {
      type: 'fail',
      id: `e2e-order-${i}`,
      payload: { message },
      max_attempts: 1,
    });
  for (const n of [1, 2])
    await callApi(serve, 'tasks.publish', {
      type: 'flaky',
      id: `e2e-flaky-${n}`,
      payload: { failTimes: 5, customer: `c-${n}` },
      max_attempts: 1,
    });

  await tasks.open();
  await tasks.openDeadLetters('groups');
  const orderGroup = tasks.deadGroup('order <n> not found in <path>');
  const flakyGroup = tasks.deadGroup('flaky: failing attempt <n> of <n>');
  await expect(orderGroup.getByTestId('dead-group-count')).toContainText('3', { timeout: 20_000 });
  await expect(flakyGroup.getByTestId('dead-group-count')).toContainText('2');
  await expect(orderGroup.getByTestId('dead-group-type')).toHaveText('fail × 3');
  await expect(app.getByTestId('dead-groups-summary')).toHaveText('5 dead letters in 2 groups');
  await shoot(app, testInfo, 'dead-letter-groups', tasks.deadLetters);

  // Edit and retry: the dry run shows before/after; publishing is offered for the patch that was dry-run.
  await flakyGroup.getByTestId('dead-group-edit').click();
  const dialog = app.getByTestId('edit-retry-dialog');
  const patch = dialog.getByTestId('edit-retry-patch').locator('textarea');
  await expect(patch).toHaveValue(/"path": "\/failTimes"/);
  await expect(dialog.getByTestId('edit-retry-publish')).toBeDisabled();
  await patch.fill(
    '[{ "op": "replace", "path": "/failTimes", "value": 0 }, { "op": "add", "path": "/fixed", "value": true }]',
  );
  await dialog.getByTestId('edit-retry-dry-run').click();
  await expect(dialog.getByTestId('edit-retry-summary')).toHaveText('Applies to 2 of 2 payloads');
  await expect(dialog.getByTestId('edit-retry-sample')).toHaveCount(2);
  await expect(dialog.getByTestId('edit-retry-before').first()).toContainText('"failTimes": 5');
  await expect(dialog.getByTestId('edit-retry-after').first()).toContainText('"fixed": true');
  await shoot(app, testInfo, 'dead-letter-edit-retry', dialog.getByTestId('edit-retry-result'));
  // Changing the patch asks for another dry run before anything is published.
  await patch.fill('[{ "op": "replace", "path": "/failTimes", "value": 0 }]');
  await expect(dialog.getByTestId('edit-retry-stale')).toBeVisible();
  await expect(dialog.getByTestId('edit-retry-publish')).toBeDisabled();
  await dialog.getByTestId('edit-retry-dry-run').click();
  await expect(dialog.getByTestId('edit-retry-publish')).toHaveText('Re-publish 2 as new tasks');
  await dialog.getByTestId('edit-retry-publish').click();
  await expect(dialog).toHaveCount(0);
  await expect(flakyGroup).toHaveCount(0);
  await expect
    .poll(async () => {
      const page = await callApi(serve, 'tasks.list', { type: 'flaky', status: 'completed' });
      return page.tasks.map((t) => t.retry_of).sort();
    })
    .toEqual(['e2e-flaky-1', 'e2e-flaky-2']);

  // Show the group's letters, then back to the groups and discard the whole group.
  await orderGroup.getByTestId('dead-group-show').click();
  await expect(app.getByTestId('dead-group-filter')).toContainText('order <n> not found in <path>');
  await expect(app.getByTestId('dead-letter')).toHaveCount(3);
  await app.getByTestId('dead-view-groups').click();
  await orderGroup.getByTestId('dead-group-discard').click();
  await app.getByTestId('dead-group-confirm').getByTestId('confirm-ok').click();
  await expect(app.getByTestId('dead-empty')).toBeVisible();
});
