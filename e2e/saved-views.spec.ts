import { expect, test } from './fixtures';
import { callApi } from './pages/api';
import { TasksPage } from './pages/tasks-page';
import { WorkersPage } from './pages/workers-page';

test.describe('saved views', () => {
  test('a Tasks filter saved under a name is applied from the list, served by REST as ?view=, and deleted', async ({
    app,
    shell,
    serve,
  }, testInfo) => {
    const tasks = await TasksPage.connected(app, shell);
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

  test('a Dead letters view saved with a group open keeps its fingerprint: applied from the list and by REST', async ({
    app,
    serve,
  }) => {
    const workers = new WorkersPage(app);
    await workers.open();
    await workers.start({ threads: 1 });
    for (const [i, message] of ['invoice 17 rejected', 'invoice 4 rejected', 'printer on fire'].entries())
      await callApi(serve, 'tasks.publish', {
        type: 'fail',
        id: `e2e-view-${i}`,
        payload: { message },
        max_attempts: 1,
      });
    const tasks = new TasksPage(app);
    await tasks.open();
    await tasks.openDeadLetters('groups');
    const invoices = tasks.deadGroup('invoice <n> rejected');
    await expect(invoices.getByTestId('dead-group-count')).toContainText('2', { timeout: 20_000 });
    const fingerprint = await invoices.getAttribute('data-fingerprint');
    expect(fingerprint).toMatch(/^[0-9a-f]{12}$/);
    await invoices.getByTestId('dead-group-show').click();
    await expect(app.getByTestId('dead-letter')).toHaveCount(2);

    const views = app.getByTestId('saved-views-deadLetters');
    await views.getByTestId('saved-view-save').click();
    const dialog = app.getByTestId('saved-view-dialog');
    await dialog.getByTestId('saved-view-name').fill('invoices');
    await expect(dialog.getByTestId('saved-view-filter')).toContainText(`"fingerprint": "${fingerprint}"`);
    await dialog.getByTestId('saved-view-submit').click();
    await expect(dialog).toHaveCount(0);

    // Back to every letter, then the view opens the group again.
    await app.getByTestId('dead-group-filter-clear').click();
    await expect(app.getByTestId('dead-letter')).toHaveCount(3);
    await views.getByTestId('saved-view-select').selectOption('invoices');
    await expect(app.getByTestId('dead-group-filter')).toContainText('invoice <n> rejected');
    await expect(app.getByTestId('dead-letter')).toHaveCount(2);

    const res = await fetch(`${new URL(serve.url).origin}/api/dead-letters?view=invoices`, {
      headers: { authorization: `Bearer ${serve.token}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { dead_letters: { id: string }[] };
    expect(body.dead_letters.map((d) => d.id).sort()).toEqual(['e2e-view-0', 'e2e-view-1']);
  });
});
