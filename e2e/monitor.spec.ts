import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { TestServer } from '../test/harness';
import { expect, test as base } from './fixtures';
import { MonitorPage } from './pages/monitor-page';

/** serve runs against a harness server the spec can also publish into. */
const test = base.extend<{ nats: TestServer; nc: NatsConnection; monitor: MonitorPage }>({
  nats: async ({ startNats }, use) => use(await startNats({ name: `e2e-monitor-${process.pid}` })),
  serveOptions: async ({ nats }, use) => use({ nats: nats.url }),
  nc: async ({ nats }, use) => {
    const nc = await connect({ servers: nats.url });
    await use(nc);
    await nc.close();
  },
  monitor: async ({ app }, use) => use(new MonitorPage(app)),
});

test.describe('monitor', () => {
  test('charts move while tasks are published', async ({ monitor, nc }) => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'E2E_MON', subjects: ['e2e.mon.>'] });
    await monitor.open();
    await expect(monitor.source).toBeVisible();
    await expect(monitor.live).toBeVisible();
    await monitor.tab('charts');
    await expect.poll(() => monitor.pointCount()).toBeGreaterThan(1);
    const before = await monitor.pointCount();

    // ~100 tasks a second until the assertions are done.
    const js = jetstream(nc);
    let publishing = true;
    let published = 0;
    const publisher = (async () => {
      while (publishing) {
        await Promise.all(
          Array.from({ length: 10 }, () => js.publish('e2e.mon.task', JSON.stringify({ n: published++ }))),
        );
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      // The live figure shows the in-message rate and the chart gains points as samples arrive.
      await expect.poll(() => monitor.msgsInRate(), { timeout: 20_000 }).toBeGreaterThan(20);
      await expect.poll(() => monitor.pointCount(), { timeout: 20_000 }).toBeGreaterThan(before + 2);
      await expect(monitor.msgsChart).toHaveAttribute('data-points', /^\d+$/);
      expect(Number(await monitor.msgsChart.getAttribute('data-points'))).toBeGreaterThan(before);
      // Stream growth: the new stream is charted.
      await expect(monitor.page.getByTestId('chart-card-stream-msgs')).toContainText('E2E_MON');
    } finally {
      publishing = false;
      await publisher;
    }
    expect(published).toBeGreaterThan(0);
  });

  test('the advisory feed shows max deliveries for a failing task', async ({ monitor, nc }) => {
    // The monitor subscribes to advisories when its session opens: wait for a sample first.
    await monitor.open();
    await expect(monitor.live).toBeVisible();

    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'E2E_FAIL', subjects: ['e2e.fail.>'] });
    await jsm.consumers.add('E2E_FAIL', {
      durable_name: 'failing-task',
      ack_policy: AckPolicy.Explicit,
      max_deliver: 2,
    });
    const js = jetstream(nc);
    await js.publish('e2e.fail.task', JSON.stringify({ boom: true }));
    const c = await js.consumers.get('E2E_FAIL', 'failing-task');
    for (let i = 0; i < 2; i++) {
      const m = await c.next({ expires: 5000 });
      expect(m, `delivery ${i + 1}`).not.toBeNull();
      m?.nak();
    }
    // The server checks max_deliver when it next tries to deliver: ask once more, nothing comes.
    expect(await c.next({ expires: 1500 })).toBeNull();

    await monitor.tab('advisories');
    const row = monitor.advisory('max_deliver');
    await expect(row).toHaveCount(1, { timeout: 15_000 });
    await expect(row).toContainText('failing-task');
    await expect(row).toHaveAttribute('data-severity', 'warn');

    // Filter and search narrow the feed to it.
    await monitor.filterAdvisories('max_deliver', 'failing-task');
    await expect(monitor.advisoryRows).toHaveCount(1);
    await monitor.filterAdvisories('consumer_created');
    // JetDeck's own consumers (task state feeds) are created too: one of the rows is the task's lane.
    await expect(
      monitor.advisory('consumer_created').filter({ hasText: 'failing-task' }).first(),
    ).toBeVisible();

    // Its JSON is one click away.
    await monitor.filterAdvisories('');
    await row.click();
    await expect(monitor.page.getByTestId('advisory-detail')).toContainText(
      'io.nats.jetstream.advisory.v1.max_deliver',
    );
  });

  test('thresholds edited in the Health tab flip a consumer badge and notify; an override flips it back', async ({
    monitor,
    nc,
  }) => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'E2E_HEALTH', subjects: ['e2e.health.>'] });
    await jsm.consumers.add('E2E_HEALTH', { durable_name: 'slow-worker', ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    for (let i = 0; i < 3; i++) await js.publish('e2e.health.task', String(i));

    await monitor.open();
    // Browser notifications: record what the app would show (headless Chromium shows nothing).
    await monitor.page.evaluate(() => {
      const shown: { title: string; body?: string }[] = [];
      (globalThis as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
      class RecordingNotification {
        static permission = 'default';
        static requestPermission = () => Promise.resolve('granted');
        onclick: (() => void) | null = null;
        constructor(title: string, opts?: { body?: string }) {
          shown.push({ title, body: opts?.body });
        }
        close() {}
      }
      (globalThis as unknown as { Notification: unknown }).Notification = RecordingNotification;
    });
    await monitor.tab('health');
    const row = monitor.healthRow('consumer:E2E_HEALTH/slow-worker');
    await expect(row).toHaveAttribute('data-status', 'OK');
    await monitor.page.getByTestId('notify-warn+').click();
    await expect(monitor.page.getByTestId('notify-permission')).toHaveAttribute('data-permission', 'granted');
    await expect(monitor.page.getByTestId('notify-warn+')).toHaveAttribute('aria-pressed', 'true');

    // Every consumer: WARN above 2 pending (it has 3).
    await monitor.setDefaultLevel('maxPending', 'warn', '2');
    await expect(row).toHaveAttribute('data-status', 'WARN');
    await expect(row).toContainText('pending 3 > 2');
    await expect(monitor.page.getByTestId('monitor-overall-health')).toHaveAttribute('data-status', 'WARN');
    await expect
      .poll(() =>
        monitor.page.evaluate(
          () => (globalThis as unknown as { shownNotifications: { title: string }[] }).shownNotifications,
        ),
      )
      .toContainEqual(expect.objectContaining({ title: 'Consumer E2E_HEALTH › slow-worker is WARN' }));

    // A per-consumer override raises its own level again.
    await row.getByTestId('health-override').click();
    const override = monitor.override('consumer:E2E_HEALTH/slow-worker');
    await override.getByTestId('level-maxPending-warn').fill('5');
    await monitor.page.getByTestId('thresholds-save').click();
    await expect(row).toHaveAttribute('data-status', 'OK');

    // Bad input is refused with a message, nothing is saved.
    await monitor.setDefaultLevel('maxAckPending', 'warn', 'lots');
    await expect(monitor.page.getByTestId('thresholds-error')).toContainText('not a number');
  });
});
