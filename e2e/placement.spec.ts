import { expect, test } from './fixtures';
import { TasksPage } from './pages/tasks-page';

/**
 * Choosing the TASKS stream's replicas and placement on the Tasks screen: a bad tag is refused in
 * the dialog by the contract's own schema; an applied choice changes the stream and becomes JetDeck's.
 */
test('the Tasks screen shows and chooses the TASKS replicas', async ({ app }) => {
  const tasks = new TasksPage(app);
  await tasks.open();
  const line = app.getByTestId('stream-placement');
  await expect(line).toContainText('R1');
  await expect(line).toContainText('cluster default');

  await app.getByTestId('stream-placement-change').click();
  const dialog = app.getByTestId('placement-dialog');
  await dialog.getByTestId('placement-tags').fill('bad tag!');
  await dialog.getByTestId('placement-apply').click();
  await expect(dialog.getByRole('alert')).toContainText('placement tags use letters');

  await dialog.getByTestId('placement-tags').fill('');
  await dialog.getByTestId('placement-replicas').selectOption('3');
  await dialog.getByTestId('placement-apply').click();
  await expect(dialog).toBeHidden();
  await expect(line).toContainText('R3');
  await expect(line).toContainText('your choice');

  // And back: the dialog opens with the stream's current replicas.
  await app.getByTestId('stream-placement-change').click();
  await expect(dialog.getByTestId('placement-replicas')).toHaveValue('3');
  await dialog.getByTestId('placement-replicas').selectOption('1');
  await dialog.getByTestId('placement-apply').click();
  await expect(dialog).toBeHidden();
  await expect(line).toContainText('R1');
});
