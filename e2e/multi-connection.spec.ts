import { expect, test } from './fixtures';
import { callApi } from './pages/api';

test('several connections open: switch from the status bar, the pool keeps running on its own', async ({
  app,
  startNats,
  serve,
  shell,
  connections,
}) => {
  const second = await startNats({ name: `e2e-multi-${Date.now()}` });
  await shell.waitForState('connected');
  const first = (await callApi(serve, 'connections.status')).profileName!;
  await callApi(serve, 'workers.start', { threads: 1, concurrency: 1 });
  await expect(app.getByTestId('screen-connection-name')).toHaveText(first);

  await connections.open();
  await connections.add({ name: 'Second', servers: [second.url] });
  await connections.connect('Second');
  await expect(shell.connectionStatus).toContainText('Second');
  // The first connection stayed open in the background; the status bar can switch back.
  await expect(connections.row(first).getByTestId('profile-open')).toBeVisible();
  await expect(connections.row(first).getByTestId('profile-connect')).toHaveText('Switch to');
  await expect(app.getByTestId('open-count')).toHaveText('2 open');
  await expect(app.getByTestId('connection-switch')).toHaveValue(
    (await callApi(serve, 'connections.status')).profileId!,
  );

  // Workers says which connection its pool runs on: not the one the screens now use.
  await shell.goto('workers');
  await expect(app.getByTestId('screen-connection')).toHaveAttribute('data-screen', 'workers');
  await expect(app.getByTestId('pool-connection')).toHaveText(`pool runs on ${first}`);
  expect((await callApi(serve, 'workers.status')).state).toBe('running');

  // Back to the first from the status bar: no reconnect, the second stays open.
  const firstId = (await callApi(serve, 'connections.open')).open.find(
    (o) => o.profileName === first,
  )!.profileId;
  await app.getByTestId('connection-switch').selectOption(firstId);
  await expect(shell.connectionStatus).toContainText(first);
  await expect(app.getByTestId('pool-connection')).toHaveCount(0);
  expect((await callApi(serve, 'connections.open')).open.map((o) => [o.profileName, o.active])).toEqual([
    [first, true],
    ['Second', false],
  ]);

  // Closing the background one leaves one open and the picker goes away.
  await connections.open();
  await connections.row('Second').getByTestId('profile-close').click();
  await expect(app.getByTestId('screen-connection-name')).toHaveText(first);
  await expect(app.getByTestId('connection-switch')).toHaveCount(0);
  expect((await callApi(serve, 'workers.status')).state).toBe('running');
  await callApi(serve, 'workers.stop', { graceful: false });
  await expect(shell.errorToasts).toHaveCount(0);
});
