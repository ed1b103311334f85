import { expect, test } from './fixtures';
import { callApi } from './pages/api';
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AppShell } from './pages/app-shell';
import { natsConnect, seedWithAcks } from './pages/messages-page';

let nc: NatsConnection | undefined;
test.afterEach(async () => {
  await nc?.close();
  nc = undefined;
});

/** Once the app is connected: stream `name` on `<name>.>` (lower case) with `count` messages. */
async function seedStream(shell: AppShell, natsUrl: string, name: string, count: number, window?: number) {
  await shell.waitForState('connected');
  nc = await natsConnect(natsUrl);
  const prefix = name.toLowerCase();
  const make = (i: number) => ({ subject: `${prefix}.${i}`, data: `m${i}` });
  await seedWithAcks(nc, { name, subjects: [`${prefix}.>`] }, count, make, window);
  return nc;
}

test('the command palette acts: open a stream, open a task by id, publish a task', async ({
  app,
  shell,
  serve,
}) => {
  await seedStream(shell, serve.natsUrl!, 'PALETTE', 3, 1);
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

test('the command palette purges and replays a stream and opens a consumer, each through its dialog', async ({
  app,
  shell,
  serve,
}) => {
  const nc = await seedStream(shell, serve.natsUrl!, 'PALACT', 6);
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add('PALACT', { durable_name: 'pal-reader', ack_policy: AckPolicy.Explicit });

  // Open a consumer by name: the Consumers screen opens on its stream with its drawer.
  let palette = await shell.openPalette();
  await palette.getByTestId('palette-input').fill('pal-reader');
  await palette.getByTestId('palette-consumer-PALACT-pal-reader').click();
  await expect(app).toHaveURL(/#\/consumers\?stream=PALACT&consumer=pal-reader$/);
  const drawer = app.getByTestId('consumer-detail');
  await expect(drawer).toBeVisible();
  await expect(drawer).toContainText('pal-reader');
  await app.keyboard.press('Escape');

  // Replay: the same dialog as on Messages, over the whole stream; a dry run counts all six.
  palette = await shell.openPalette();
  await palette.getByTestId('palette-input').fill('replay palact');
  await palette.getByTestId('palette-replay-PALACT').click();
  const replay = app.getByTestId('replay-dialog');
  await expect(replay).toBeVisible();
  await replay.getByTestId('replay-dry-run').click();
  await expect(replay.getByTestId('dry-run-count')).toHaveText('6');
  await replay.getByRole('button', { name: 'Cancel' }).click();
  await expect(replay).toHaveCount(0);
  expect((await jsm.streams.info('PALACT')).state.messages).toBe(6);

  // Purge asks for the stream's name, then empties it.
  palette = await shell.openPalette();
  await palette.getByTestId('palette-input').fill('purge palact');
  await palette.getByTestId('palette-purge-PALACT').click();
  const purge = app.getByTestId('purge-dialog');
  await expect(purge.getByTestId('confirm-ok')).toBeDisabled();
  await purge.getByTestId('confirm-text').fill('PALACT');
  await purge.getByTestId('confirm-ok').click();
  await expect.poll(async () => (await jsm.streams.info('PALACT')).state.messages).toBe(0);
  await expect(purge).toHaveCount(0);
});
