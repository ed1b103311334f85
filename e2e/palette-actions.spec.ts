import { expect, test } from './fixtures';
import { callApi } from './pages/api';
import { natsConnect, seedWithAcks } from './pages/messages-page';

test('the command palette acts: open a stream, open a task by id, publish a task', async ({
  app,
  shell,
  serve,
}) => {
  await shell.waitForState('connected');
  const nc = await natsConnect(serve.natsUrl!);
  try {
    await seedWithAcks(
      nc,
      { name: 'PALETTE', subjects: ['palette.>'] },
      3,
      (i) => ({
        subject: `palette.${i}`,
        data: `m${i}`,
      }),
      1,
    );
  } finally {
    await nc.close();
  }
  const { task } = await callApi(serve, 'tasks.publish', { type: 'echo', payload: {}, id: 'pal-task-1' });

  let palette = await shell.openPalette();
  await palette.getByTestId('palette-input').fill('palette');
  await expect(palette.getByTestId('palette-stream-PALETTE')).toBeVisible();
  await app.keyboard.press('Enter');
  await expect(app).toHaveURL(/#\/messages\?stream=PALETTE$/);
  await expect(app.getByTestId('msg-stream')).toHaveValue('PALETTE');

  palette = await shell.openPalette();
  await palette.getByTestId('palette-input').fill(task.id);
  await palette.getByTestId('palette-open-task').click();
  await expect(app.locator(`[data-testid="task-detail-body"][data-task-id="${task.id}"]`)).toBeVisible();
  await app.keyboard.press('Escape');

  palette = await shell.openPalette();
  await palette.getByTestId('palette-input').fill('publish a task');
  await app.keyboard.press('Enter');
  await expect(app.getByTestId('tasks-screen')).toBeVisible();
  await expect(app.getByTestId('publish-form')).toBeVisible();
});
