import { expect, test } from './fixtures';
import { WorkersPage } from './pages/workers-page';
import { spawnFleetWorker, type FleetProcess } from '../test/fleet/helpers';

/**
 * The fleet on the Workers screen: a `jetdeck worker` started elsewhere shows up (it is a NATS
 * service) and is drained from the UI; the app's pool survives a profile switch.
 */
test.describe('fleet', () => {
  let remote: FleetProcess | undefined;
  test.afterEach(() => remote?.kill());

  test('lists a remote worker next to the pool and drains it', async ({ app, serve }, testInfo) => {
    const workers = new WorkersPage(app);
    remote = spawnFleetWorker([serve.natsUrl!], 'e2e-remote', [
      '--allow-remote-control',
      '--concurrency',
      '4',
    ]);
    const locked = spawnFleetWorker([serve.natsUrl!], 'e2e-locked', ['--types', 'resize']);
    try {
      await remote.registered;
      await locked.registered;
      await workers.open();
      await workers.start({ threads: 2 });

      const row = workers.fleetRow('e2e-remote');
      await expect(row).toHaveAttribute('data-state', 'running');
      await expect(row.getByTestId('fleet-concurrency')).toHaveText('4');
      await expect(workers.page.locator('[data-testid="fleet-row"][data-local="true"]')).toHaveCount(1);
      await expect(workers.fleetRow('e2e-locked').getByTestId('fleet-remote-off')).toBeVisible();

      for (const [w, h] of [
        [1280, 800],
        [1920, 1080],
      ] as const) {
        await app.setViewportSize({ width: w, height: h });
        await workers.page.getByTestId('fleet-panel').scrollIntoViewIfNeeded();
        await app.screenshot({ path: testInfo.outputPath(`workers-fleet-${w}x${h}.png`) });
      }

      await workers.drain('e2e-remote');
      expect(await remote.exited).toBe(0);
      // It stops answering: kept in the list, marked so, with its last-seen time.
      await expect(row).toHaveAttribute('data-state', 'not answering', { timeout: 15_000 });
      await expect(row).toContainText('last seen');
    } finally {
      locked.kill();
    }
  });

  test('switching profile keeps the pool running on its own connection', async ({
    app,
    connections,
    startNats,
  }) => {
    const workers = new WorkersPage(app);
    await workers.open();
    await workers.start({ threads: 1 });
    const other = await startNats({ name: `e2e-other-${process.pid}` });
    await connections.open();
    await connections.add({ name: 'other cluster', servers: [other.url] });
    await connections.connect('other cluster');
    await expect(app.getByTestId('connection-status')).toContainText(other.url.replace('nats://', ''), {
      timeout: 15_000,
    });
    await expect(app.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');

    await workers.open();
    await expect(workers.controls).toHaveAttribute('data-state', 'running');
    await expect(workers.page.getByTestId('pool-follows')).toContainText('switching profile');
    await expect(workers.cards).toHaveCount(1);
    // Stopped by the user: it says so.
    await workers.controls.getByTestId('pool-stop').click();
    await expect(workers.page.getByTestId('pool-stop-reason')).toContainText('stopped by the user');
  });
});
