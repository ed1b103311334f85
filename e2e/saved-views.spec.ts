import { expect, test } from './fixtures';
import { TasksPage } from './pages/tasks-page';

test.describe('saved views', () => {
  test('a Tasks filter saved under a name is applied from the list, served by REST as ?view=, and deleted', async ({
    app,
    shell,
    serve,
  }, testInfo) => {
    await shell.waitForState('connected');
    const tasks = new TasksPage(app);
    await tasks.open();
    await tasks.publish({ type: 'report', count: 2 });
    await tasks.publish({ type: 'email', count: 3 });
    await expect(tasks.rows).toHaveCount(5);

    // Filter by type, save it as a view.
    await app.getByTestId('filter-type').selectOption('report');
    await expect(tasks.rows).toHaveCount(2);
    const views = app.getByTestId('saved-views-tasks');
    await views.getByTestId('saved-view-save').click();
    const dialog = app.getByTestId('saved-view-dialog');
    await dialog.getByTestId('saved-view-name').fill('bad name');
    await expect(dialog.getByTestId('error-saved-view-name')).toContainText('letters, digits');
    await expect(dialog.getByTestId('saved-view-submit')).toBeDisabled();
    await dialog.getByTestId('saved-view-name').fill('reports');
    await expect(dialog.getByTestId('saved-view-filter')).toContainText('"type": "report"');
    await app.screenshot({ path: testInfo.outputPath('saved-view-dialog.png') });
    if (process.env.JETDECK_SHOTS_DIR)
      await app.screenshot({ path: `${process.env.JETDECK_SHOTS_DIR}/saved-view-dialog.png` });
    await dialog.getByTestId('saved-view-submit').click();
    await expect(dialog).toHaveCount(0);

    // Clear the filter, then apply the view from the list.
    await app.getByTestId('filter-type').selectOption('');
    await expect(tasks.rows).toHaveCount(5);
    await views.getByTestId('saved-view-select').selectOption('reports');
    await expect(app.getByTestId('filter-type')).toHaveValue('report');
    await expect(tasks.rows).toHaveCount(2);

    // The same name on the REST API.
    const res = await fetch(`${new URL(serve.url).origin}/api/tasks?view=reports`, {
      headers: { authorization: `Bearer ${serve.token}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { tasks: { type: string }[] };
    expect(body.tasks.map((t) => t.type)).toEqual(['report', 'report']);

    await views.getByTestId('saved-view-delete').click();
    await expect(views.getByTestId('saved-view-select').locator('option')).toHaveCount(1);
    const gone = await fetch(`${new URL(serve.url).origin}/api/tasks?view=reports`, {
      headers: { authorization: `Bearer ${serve.token}` },
    });
    expect(gone.status).toBe(404);
  });
});
