import { expect, test } from './fixtures';
import { TasksPage } from './pages/tasks-page';
import { WorkersPage } from './pages/workers-page';

test.describe('workers', () => {
  test('a 2-thread pool started from the UI completes 100 tasks published from the Tasks screen', async ({
    app,
  }) => {
    const workers = new WorkersPage(app);
    const tasks = new TasksPage(app);

    await workers.open();
    await expect(workers.empty).toContainText('No workers running');
    await workers.start({ threads: 2 });
    await expect(workers.cards).toHaveCount(2);

    await tasks.open();
    await tasks.publish({ type: 'echo', payload: '{"hello": "world"}', count: 100, id: 'e2e-bulk' });
    await expect(tasks.bulk).toHaveAttribute('data-state', 'done');
    await expect(tasks.bulk.getByTestId('bulk-acked')).toContainText('100 / 100');

    // Live updates: the completed chip and the rows follow without a reload.
    await expect(tasks.chipCount('completed')).toHaveText('100', { timeout: 30_000 });
    await expect(tasks.chipCount('all')).toHaveText('100');
    await expect(tasks.row('e2e-bulk-100')).toHaveAttribute('data-status', 'completed');
    // The oldest one is far down the virtual list: the id search brings it up.
    await app.getByTestId('filter-id').fill('e2e-bulk-1');
    await expect(tasks.rows).toHaveCount(12); // -1, -10…-19, -100
    await expect(tasks.row('e2e-bulk-1')).toHaveAttribute('data-status', 'completed');

    // A finished task's detail shows its delivery and result.
    await tasks.openTask('e2e-bulk-10');
    const body = tasks.detailBody('e2e-bulk-10');
    await expect(body).toHaveAttribute('data-status', 'completed');
    await expect(body.locator('[data-testid="timeline-entry"][data-kind="published"]')).toContainText('seq');
    await expect(body.locator('[data-testid="timeline-entry"][data-status="completed"]')).toContainText(
      'jetdeck-pool-',
    );
    await expect(body.getByTestId('detail-result')).toContainText('"hello"');
    await tasks.closeDetail();

    await workers.open();
    await expect(workers.processedTotal).toHaveText('100');
    await expect.poll(() => workers.processedOnCards()).toBe(100);

    // Graceful stop brings back the empty state.
    await workers.controls.getByTestId('pool-stop').click();
    await expect(workers.empty).toBeVisible();
  });
});
