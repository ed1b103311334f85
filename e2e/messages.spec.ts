import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { expect, test } from './fixtures';
import { MessagesPage, natsConnect, seedBulk, seedWithAcks } from './pages/messages-page';

let nc: NatsConnection | undefined;
test.afterEach(async () => {
  await nc?.close();
  nc = undefined;
});

const REGIONS = ['eu', 'us', 'apac'];

test.describe('messages', () => {
  test('browses, seeks to a time, opens a JSON message and replays a range to another subject', async ({
    app,
    serve,
  }) => {
    nc = await natsConnect(serve.natsUrl!);
    const order = (i: number) => ({
      subject: `orders.${REGIONS[i % 3]}.created`,
      data: JSON.stringify({ id: `ord-${i + 1}`, amount: i * 2.5, customer: { name: `Customer ${i + 1}` } }),
    });
    await seedWithAcks(nc, { name: 'ORDERS', subjects: ['orders.>'] }, 150, order, 1);
    const jsm = await jetstreamManager(nc);
    // The replay target is captured by its own stream so the count can be checked on both sides.
    await jsm.streams.add({ name: 'REPLAYED', subjects: ['replayed.>'] });
    const m120 = await jsm.streams.getMessage('ORDERS', { seq: 120 });
    // Times have ms precision in the UI: the seek lands on the first message of that millisecond.
    const ms = (seq: number) => jsm.streams.getMessage('ORDERS', { seq }).then((m) => m!.time.getTime());
    let expectedSeq = 120;
    while (expectedSeq > 1 && (await ms(expectedSeq - 1)) >= m120!.time.getTime()) expectedSeq--;

    const messages = new MessagesPage(app);
    await messages.open('ORDERS');
    await expect(app.getByTestId('msg-total')).toHaveText('150 message(s)');
    expect((await messages.visibleSeqs())[0]).toBe(1);
    await expect(app.getByTestId('message-list')).toHaveAttribute('data-top-seq', '1');

    // Seek to the exact time message 120 was stored.
    await messages.seekToTime(m120!.time.toISOString());
    await expect(app.getByTestId('message-list')).toHaveAttribute('data-top-seq', String(expectedSeq));

    // Open it: JSON is auto-detected and shown as a tree with its keys.
    await messages.row(120).click();
    await expect(messages.detail).toHaveAttribute('data-seq', '120');
    await expect(messages.detail.getByTestId('detail-payload')).toHaveAttribute('data-view', 'json');
    await expect(messages.detail.getByTestId('json-key').filter({ hasText: '"customer"' })).toBeVisible();
    await expect(messages.detail.getByTestId('detail-payload')).toContainText('"Customer 120"');
    await messages.detail.getByTestId('view-hex').click();
    await expect(messages.detail.getByTestId('detail-payload')).toContainText('00000000  7b 22 69 64');

    // Subject filter with a wildcard.
    await messages.filterSubject('orders.eu.*');
    await expect(app.getByTestId('msg-total')).toHaveText('50 message(s) matching orders.eu.*');
    const seqs = await messages.visibleSeqs();
    expect(seqs.slice(0, 3)).toEqual([1, 4, 7]);

    // Replay sequences 10..29 of orders.eu.* (7 messages) to replayed.> : dry run first.
    await app.getByTestId('open-replay').click();
    const dlg = messages.replayDialog;
    await dlg.getByTestId('source-range').click();
    await dlg.getByTestId('src-from-seq').fill('10');
    await dlg.getByTestId('src-to-seq').fill('29');
    await expect(dlg.getByTestId('src-subject')).toHaveValue('orders.eu.*');
    await dlg.getByTestId('target-subject').click();
    await dlg.getByTestId('tgt-subject').fill('replayed.>');
    await dlg.getByTestId('tgt-from').fill('orders.>');
    await expect(dlg.getByTestId('replay-start')).toBeDisabled();
    await dlg.getByTestId('replay-dry-run').click();
    await expect(dlg.getByTestId('dry-run-count')).toHaveText('7');
    await expect(dlg.getByTestId('dry-run-target')).toHaveText('replayed.eu.created');
    await dlg.getByTestId('replay-start').click();
    await expect(dlg.getByTestId('job-progress')).toHaveAttribute('data-state', 'done');
    await expect(dlg.getByTestId('job-sent')).toHaveText('7 of 7');
    await expect(dlg.getByTestId('job-failed')).toHaveText('0');
    await dlg.getByTestId('job-close').click();

    // The copies arrived: checked with nats.js and in the browser.
    expect((await jsm.streams.info('REPLAYED')).state.messages).toBe(7);
    const first = await jsm.streams.getMessage('REPLAYED', { seq: 1 });
    expect(first!.subject).toBe('replayed.eu.created');
    expect(first!.header.get('JetDeck-Replay-Of')).toBe('ORDERS:10');
    await messages.filterSubject('');
    await messages.pickStream('REPLAYED');
    await expect(app.getByTestId('msg-total')).toHaveText('7 message(s)');
    await expect(messages.rows).toHaveCount(7);
  });

  test('a stream of 1,000,000 messages scrolls to its middle and its end', async ({ app, serve }) => {
    test.setTimeout(180_000);
    const N = 1_000_000;
    nc = await natsConnect(serve.natsUrl!);
    const t0 = Date.now();
    await seedBulk(nc, 'BIG', 'big.data', N);
    test.info().annotations.push({ type: 'seed_1m_ms', description: String(Date.now() - t0) });

    const messages = new MessagesPage(app);
    await messages.open('BIG');
    await expect(app.getByTestId('msg-total')).toHaveText('1,000,000 message(s)');
    const list = app.getByTestId('message-list');
    await expect(list).toHaveAttribute('data-top-seq', '1');

    // Middle: click the scrollbar track halfway down.
    await messages.clickScrollbar(0.5);
    const mid = Number(await list.getAttribute('data-top-seq'));
    expect(mid).toBeGreaterThan(N * 0.4);
    expect(mid).toBeLessThan(N * 0.6);
    const midSeqs = await messages.visibleSeqs();
    expect(midSeqs[0]).toBe(mid);
    // Rows are contiguous: no holes in the rendered window.
    expect(midSeqs.every((s, i) => i === 0 || s === midSeqs[i - 1] + 1)).toBe(true);

    // The wheel scrolls smoothly past page boundaries from there (pages load at the edges).
    // (8 × 1500 px = 400 rows of 30 px; scroll beyond the loaded rows is kept until the page arrives).
    for (let i = 0; i < 8; i++) await messages.wheel(1500);
    await expect.poll(async () => Number(await list.getAttribute('data-top-seq'))).toBe(mid + 400);
    const afterWheel = await messages.visibleSeqs();
    expect(afterWheel.every((s, i) => i === 0 || s === afterWheel[i - 1] + 1)).toBe(true);

    // End: drag the thumb to the bottom.
    await messages.dragThumbToEnd();
    await expect.poll(async () => (await messages.visibleSeqs()).at(-1)).toBe(N);
    const rowsInDom = await messages.rows.count();
    expect(rowsInDom).toBeLessThan(60);
    await app.screenshot({ path: test.info().outputPath('million-end.png') });
  });
});
