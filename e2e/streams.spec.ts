import { jetstreamManager, AckPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { expect, test } from './fixtures';
import { natsConnect, seedWithAcks } from './pages/messages-page';
import { StreamsPage } from './pages/streams-page';

let nc: NatsConnection | undefined;
test.afterEach(async () => {
  await nc?.close();
  nc = undefined;
});

test.describe('streams', () => {
  test('lists, searches, shows detail and per-subject counts', async ({ app, serve }) => {
    nc = await natsConnect(serve.natsUrl!);
    await seedWithAcks(nc, { name: 'ORDERS', subjects: ['orders.>'] }, 30, (i) => ({
      subject: `orders.${i % 3 === 0 ? 'eu' : 'us'}.created`,
      data: JSON.stringify({ i }),
    }));
    await seedWithAcks(nc, { name: 'AUDIT', subjects: ['audit.*'] }, 5, (i) => ({
      subject: 'audit.log',
      data: `entry ${i}`,
    }));
    const streams = new StreamsPage(app);
    await streams.open();

    await expect(streams.row('ORDERS').getByTestId('stream-messages')).toHaveText('30');
    await expect(streams.row('AUDIT').getByTestId('stream-messages')).toHaveText('5');
    await streams.search('audit.');
    await expect(streams.row('ORDERS')).toHaveCount(0);
    await expect(streams.row('AUDIT')).toBeVisible();
    await streams.search('');

    // Sort by messages: the bigger stream comes first.
    await app.getByTestId('sort-messages').click();
    await expect(app.getByTestId('stream-row').first()).toHaveAttribute('data-stream', 'ORDERS');

    await streams.openDetail('ORDERS');
    await expect(streams.detail.getByTestId('stream-state')).toContainText('30');
    await streams.detail.getByTestId('tab-subjects').click();
    await streams.detail.getByTestId('subject-filter').fill('orders.eu.*');
    await streams.detail.getByTestId('subject-filter-apply').click();
    await expect(streams.detail.getByTestId('subject-counts')).toContainText('orders.eu.created');
    await expect(streams.detail.getByTestId('subject-counts-summary')).toContainText('10 message(s) match');
    await streams.detail.getByTestId('tab-config').click();
    await expect(streams.detail.getByTestId('stream-config-json')).toContainText('"orders.>"');
    await app.screenshot({ path: test.info().outputPath('stream-detail.png') });
  });

  test('creates, edits with a diff, purges and deletes behind typed confirmations', async ({
    app,
    serve,
  }) => {
    nc = await natsConnect(serve.natsUrl!);
    const jsm = await jetstreamManager(nc);
    const streams = new StreamsPage(app);
    await streams.open();

    // Invalid input is caught before sending.
    await streams.create('bad name', 'a..b');
    await expect(streams.editor.getByTestId('editor-errors')).toContainText('name may not contain spaces');
    await expect(streams.editor.getByTestId('editor-errors')).toContainText('invalid subject');
    await streams.editor.getByTestId('field-stream-name').fill('EVENTS');
    await streams.editor.getByTestId('field-stream-subjects').fill('events.>');
    await streams.editor.getByTestId('editor-submit').click();
    await expect(streams.detail.getByTestId('stream-state')).toBeVisible();
    expect((await jsm.streams.info('EVENTS')).config.subjects).toEqual(['events.>']);

    // Edit: the diff is shown first, then applied.
    await streams.detail.getByTestId('edit-stream').click();
    await streams.editor.getByTestId('field-stream-max-msgs').fill('1000');
    await streams.editor.getByTestId('editor-submit').click();
    const diffRow = streams.editor.locator('[data-testid="diff-row"][data-path="max_msgs"]');
    await expect(diffRow).toContainText('-1');
    await expect(diffRow).toContainText('1000');
    await streams.editor.getByTestId('editor-submit').click();
    await expect(streams.editor).toHaveCount(0);
    await expect.poll(async () => (await jsm.streams.info('EVENTS')).config.max_msgs).toBe(1000);

    // Purge keeping the newest 4.
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    for (let i = 0; i < 10; i++) await js.publish('events.x', `e${i}`);
    await streams.detail.getByTestId('purge-stream').click();
    const purge = app.getByTestId('purge-dialog');
    await purge.getByTestId('purge-mode').selectOption('keep');
    await purge.getByTestId('purge-keep').fill('4');
    await expect(purge.getByTestId('confirm-ok')).toBeDisabled();
    await streams.confirmTyped(purge, 'EVENTS');
    await expect.poll(async () => (await jsm.streams.info('EVENTS')).state.messages).toBe(4);
    await expect(streams.detail.getByTestId('stream-state')).toContainText('Messages4');

    // Delete needs the exact name.
    await streams.detail.getByTestId('delete-stream').click();
    const del = app.getByTestId('delete-stream-dialog');
    await del.getByTestId('confirm-text').fill('EVENT');
    await expect(del.getByTestId('confirm-ok')).toBeDisabled();
    await streams.confirmTyped(del, 'EVENTS');
    await expect(streams.detail).toHaveCount(0);
    await expect(streams.row('EVENTS')).toHaveCount(0);
    await expect(jsm.streams.info('EVENTS')).rejects.toThrow(/not found/i);
  });

  test('consumers: state sorted by lag; pause disabled with the server version as reason', async ({
    app,
    serve,
  }) => {
    nc = await natsConnect(serve.natsUrl!);
    await seedWithAcks(nc, { name: 'JOBS', subjects: ['jobs.*'] }, 20, (i) => ({
      subject: 'jobs.run',
      data: `job ${i}`,
    }));
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add('JOBS', { durable_name: 'all-of-them', ack_policy: AckPolicy.Explicit });
    await jsm.consumers.add('JOBS', {
      durable_name: 'from-15',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: 'by_start_sequence' as never,
      opt_start_seq: 15,
    });

    await app.getByTestId('nav-consumers').click();
    // Other features (tasks) keep consumers of their own: look at this stream only.
    await app
      .getByTestId('consumers-stream')
      .locator('option', { hasText: 'JOBS' })
      .waitFor({ state: 'attached' });
    await app.getByTestId('consumers-stream').selectOption('JOBS');
    const panel = app.getByTestId('consumers-panel');
    const rows = panel.getByTestId('consumer-row');
    await expect(rows).toHaveCount(2);
    // Default sort: lag, largest first.
    await expect(rows.nth(0)).toHaveAttribute('data-consumer', 'all-of-them');
    await expect(rows.nth(0).getByTestId('consumer-lag')).toHaveText('20');
    await expect(rows.nth(1).getByTestId('consumer-lag')).toHaveText('6');
    await panel.getByTestId('consumer-sort-lag').click();
    await expect(rows.nth(0)).toHaveAttribute('data-consumer', 'from-15');

    await rows.nth(0).click();
    const detail = app.getByTestId('consumer-detail');
    await expect(detail.getByTestId('consumer-state')).toContainText('Pending (lag)6');
    await expect(detail.getByTestId('pause-consumer')).toBeDisabled();
    await expect(detail.getByTestId('pause-consumer')).toHaveAttribute(
      'title',
      /needs nats-server 2\.11\.0 or newer; connected server is 2\.9/,
    );
    await expect(detail.getByTestId('consumer-capability-note')).toBeVisible();

    await detail.getByTestId('delete-consumer').click();
    await app.getByTestId('confirm-text').fill('from-15');
    await app.getByTestId('confirm-ok').click();
    await expect(rows).toHaveCount(1);
  });
});
