import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { MessagesPage, natsConnect } from './pages/messages-page';
import { SearchPanel } from './pages/search-panel';
import { shoot } from './pages/shots';

let nc: NatsConnection | undefined;
test.afterEach(async () => {
  await nc?.close();
  nc = undefined;
});

const REGIONS = ['eu', 'us', 'apac'];
const N = 150;

/** ORDERS: 150 JSON orders on orders.<region>.created; every 5th carries a Trace-Id header. */
async function seedOrders(conn: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(conn);
  await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
  const js = jetstream(conn);
  for (let i = 1; i <= N; i++) {
    const h = headers();
    if (i % 5 === 0) h.set('Trace-Id', `trace-${i}`);
    await js.publish(
      `orders.${REGIONS[i % 3]}.created`,
      JSON.stringify({
        id: `ord-${i}`,
        amount: i * 2.5,
        status: i % 10 === 0 ? 'failed' : 'paid',
        customer: { name: `Customer ${i}` },
        items: [{ sku: `sku-${i % 4}` }],
      }),
      { headers: h },
    );
  }
}

/** Seeds ORDERS (the connection closes after the test) and opens the search panel over it. */
async function openSearch(
  app: Page,
  natsUrl: string,
): Promise<{ messages: MessagesPage; search: SearchPanel }> {
  nc = await natsConnect(natsUrl);
  await seedOrders(nc);
  const messages = new MessagesPage(app);
  await messages.open('ORDERS');
  const search = new SearchPanel(app);
  await search.open();
  return { messages, search };
}

test.describe('message search', () => {
  test('finds by JSON path, header and text over a range; hits open in the message view and in the list', async ({
    app,
    serve,
  }) => {
    const { messages, search } = await openSearch(app, serve.natsUrl!);
    // The panel replaces the list; the live tail cannot run beside it.
    await expect(messages.list).toHaveCount(0);
    await expect(app.getByTestId('msg-live')).toBeDisabled();

    // A bad path is refused on its field before anything is sent.
    await search.json('customer..name', 'contains', 'x');
    await search.start();
    await expect(app.getByTestId('error-search-path')).toContainText('not a JSON path: empty key');

    // JSON path contains: "Customer 12" is in 12 and 120–129.
    await search.json('customer.name', 'contains', 'customer 12');
    await search.start();
    expect(await search.finished()).toBe('done');
    await expect(app.getByTestId('search-end')).toHaveText('searched the whole range');
    await expect(app.getByTestId('search-matched')).toHaveText('11 found');
    await expect(app.getByTestId('search-scanned')).toHaveText('150 read');
    expect(await search.hitSeqs()).toEqual([12, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129]);
    await expect(search.hit(125)).toContainText('customer.name = "Customer 125"');

    // A hit opens in the message view with its whole payload and headers.
    await search.hit(125).getByTestId('search-hit-open').click();
    await expect(messages.detail).toHaveAttribute('data-seq', '125');
    await expect(messages.detail.getByTestId('detail-payload')).toContainText('"ord-125"');
    await expect(messages.detail.getByTestId('detail-headers')).toContainText('trace-125');

    // JSON equals with the list's subject filter applied, inside a sequence range.
    await app.getByTestId('open-search').click();
    await messages.filterSubject('orders.eu.*');
    await search.open();
    await expect(app.getByTestId('search-scope')).toContainText('orders.eu.*');
    await search.json('status', 'equals', 'failed');
    await search.limits({ fromSeq: '1', toSeq: '100' });
    await search.start();
    expect(await search.finished()).toBe('done');
    // eu is i % 3 == 0; failed is i % 10 == 0: 30, 60, 90.
    expect(await search.hitSeqs()).toEqual([30, 60, 90]);
    await expect(app.getByTestId('search-scanned')).toHaveText('33 read');

    // Header value, with a result cap that stops it early.
    await app.getByTestId('open-search').click();
    await messages.filterSubject('');
    await search.open();
    await search.header('trace-id', 'contains', 'TRACE-1');
    await search.limits({ fromSeq: '', toSeq: '', maxResults: '3' });
    await search.start();
    expect(await search.finished()).toBe('done');
    await expect(app.getByTestId('search-end')).toHaveText('stopped at the result cap');
    expect(await search.hitSeqs()).toEqual([10, 15, 100]);

    // "In list" closes the search and shows that message in the list.
    await search.hit(100).getByTestId('search-hit-show').click();
    await expect(search.panel).toHaveCount(0);
    await messages.waitLoaded();
    await expect(messages.list).toHaveAttribute('data-top-seq', '100');

    // Payload text.
    await search.open();
    await search.text('SKU-3');
    await search.limits({ maxResults: '100' });
    await search.start();
    expect(await search.finished()).toBe('done');
    // sku-3 is in every 4th order from 3 on: 37 of 150.
    await expect(app.getByTestId('search-matched')).toHaveText('37 found');

    // Several criteria, all of which must hold: payload text AND a header.
    await app.getByTestId('search-add').click();
    await app.getByTestId('search-kind-1').selectOption('header');
    await app.getByTestId('search-header-1').fill('trace-id');
    await app.getByTestId('search-header-op-1').selectOption('contains');
    await search.start();
    await expect(app.getByTestId('error-search-value-1')).toContainText('value is required');
    await app.getByTestId('search-value-1').fill('TRACE-1');
    await search.start();
    await expect(app.getByTestId('search-matched')).toHaveText('3 found');
    expect(await search.finished()).toBe('done');
    // sku-3 with a Trace-Id (every 20th from 15) whose value contains trace-1: 15, 115, 135.
    expect(await search.hitSeqs()).toEqual([15, 115, 135]);
    await expect(search.hit(15)).toContainText('"sku":"sku-3"');
    await expect(search.hit(15)).toContainText('Trace-Id: trace-15');
    // Removing the second criterion searches by the first alone again.
    await app.getByTestId('search-remove-1').click();
    await expect(app.getByTestId('search-criterion')).toHaveCount(1);
    await search.start();
    await expect(app.getByTestId('search-matched')).toHaveText('37 found');
  });

  test('a long search shows progress and is cancelled', async ({ app, serve }) => {
    nc = await natsConnect(serve.natsUrl!);
    // A WorkQueue stream is read with message get (never consumed): slow enough to cancel midway.
    const BIG = 50_000;
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'WORK', subjects: ['work.>'], retention: 'workqueue' as never });
    const payload = new TextEncoder().encode('{"job":"resize","size":1024}');
    for (let i = 0; i < BIG; i += 10_000) {
      for (let j = 0; j < 10_000; j++) nc.publish('work.resize', payload);
      await nc.flush();
    }
    await expect.poll(async () => (await jsm.streams.info('WORK')).state.messages).toBe(BIG);

    const messages = new MessagesPage(app);
    await messages.open('WORK');
    const search = new SearchPanel(app);
    await search.open();
    await search.text('nowhere');
    await search.start();
    await expect(app.getByTestId('search-state')).toHaveText('Searching…');
    await expect(app.getByTestId('search-progress-bar')).toHaveAttribute('aria-valuemax', String(BIG));
    await app.getByTestId('search-cancel').click();
    expect(await search.finished()).toBe('cancelled');
    await expect(app.getByTestId('search-end')).toHaveText('cancelled');
    const scanned = Number((await app.getByTestId('search-scanned').textContent())!.replace(/\D/g, ''));
    expect(scanned).toBeLessThan(BIG);
    // Nothing was consumed and no consumer was left behind.
    const si = await jsm.streams.info('WORK');
    expect(si.state.messages).toBe(BIG);
    expect(si.state.consumer_count).toBe(0);
  });

  test('screens at 1280×800 and 1920×1080 in both themes: no serious or critical axe violation', async ({
    app,
    serve,
  }, testInfo) => {
    const { messages, search } = await openSearch(app, serve.natsUrl!);
    await search.json('items[*].sku', 'equals', 'sku-2');
    await search.start();
    expect(await search.finished()).toBe('done');
    await search.hit(14).getByTestId('search-hit-open').click();
    await expect(messages.detail).toHaveAttribute('data-seq', '14');
    const panel = app.getByTestId('search-panel');
    await shoot(app, testInfo, 'messages-search', panel, '[data-testid="search-panel"]');
  });
});
