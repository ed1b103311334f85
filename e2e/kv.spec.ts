import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { expect, test } from './fixtures';
import { KvPage } from './pages/kv-page';
import { natsConnect } from './pages/messages-page';
import { setTheme } from './pages/shots';

let nc: NatsConnection | undefined;
test.afterEach(async () => {
  await nc?.close();
  nc = undefined;
});

test.describe('KV buckets', () => {
  test('creates a bucket, writes JSON and hex values, edits at the revision read, shows history and deletes', async ({
    app,
    shell,
    serve,
  }) => {
    nc = await natsConnect(serve.natsUrl!);
    const kvm = new Kvm(nc);
    await shell.waitForState('connected');
    const kv = new KvPage(app);
    await kv.open();

    // A bad name is caught by the contract's schema before anything is sent.
    await kv.createBucket({ name: 'bad.name' });
    await expect(kv.createDialog.getByTestId('error-kv-bucket')).toContainText('letters, digits');
    await kv.createDialog.getByTestId('kv-create-name').fill('settings');
    await kv.createDialog.getByTestId('kv-create-history').fill('5');
    await kv.createDialog.getByTestId('kv-create-ttl').fill('2');
    await kv.createDialog.getByTestId('kv-create-ttl-unit').selectOption('hours');
    await kv.createDialog.getByTestId('kv-create-submit').click();
    await expect(kv.createDialog).toHaveCount(0);
    await expect(kv.pane).toHaveAttribute('data-bucket', 'settings');
    await expect(kv.pane.getByTestId('kv-bucket-facts')).toContainText('2 h');
    const status = await (await kvm.open('settings')).status();
    expect([status.history, status.ttl]).toEqual([5, 7_200_000]);

    // New key: invalid JSON keeps Save disabled and says why.
    await kv.newKey('app.theme', '{"dark": ');
    await expect(kv.drawer.getByTestId('kv-value-error')).toContainText('not valid JSON');
    await expect(kv.drawer.getByTestId('kv-save')).toBeDisabled();
    await kv.drawer.getByTestId('kv-value').fill('{"dark": true}');
    await kv.drawer.getByTestId('kv-save').click();
    await expect(kv.drawer).toHaveCount(0);
    await expect(kv.key('app.theme')).toBeVisible();
    const bucket = await kvm.open('settings');
    expect((await bucket.get('app.theme'))?.json()).toEqual({ dark: true });

    // Hex: bytes that are not text.
    await kv.newKey('app.blob', '');
    await kv.drawer.getByTestId('kv-format-hex').click();
    await kv.drawer.getByTestId('kv-value').fill('00 ff 7f');
    await kv.drawer.getByTestId('kv-save').click();
    await expect(kv.key('app.blob')).toBeVisible();
    expect([...((await bucket.get('app.blob'))?.value ?? [])]).toEqual([0, 255, 127]);
    await kv.openKey('app.blob');
    await expect(kv.drawer.getByTestId('kv-format-hex')).toHaveAttribute('aria-selected', 'true');
    await expect(kv.drawer.getByTestId('kv-value')).toHaveValue('00 ff 7f');
    await kv.closeDrawer();

    // Edit: saved over the revision read; a change made meanwhile is a conflict, not lost.
    await kv.openKey('app.theme');
    await kv.drawer.getByTestId('kv-value').fill('{"dark": false}');
    await bucket.put('app.theme', JSON.stringify({ dark: 'other writer' }));
    await kv.drawer.getByTestId('kv-save').click();
    await expect(shell.errorToasts.last()).toContainText('changed since revision');
    expect((await bucket.get('app.theme'))?.json()).toEqual({ dark: 'other writer' });
    await kv.drawer.getByTestId('kv-reload').click();
    await expect(kv.drawer.getByTestId('kv-value')).toHaveValue(/other writer/);
    await kv.drawer.getByTestId('kv-value').fill('{"dark": false}');
    await kv.drawer.getByTestId('kv-save').click();
    await expect.poll(async () => (await bucket.get('app.theme'))?.json()).toEqual({ dark: false });

    // History: newest first; an old revision loads into the editor.
    await kv.drawer.getByTestId('kv-tab-history').click();
    await expect(kv.drawer.getByTestId('kv-history-row')).toHaveCount(3);
    await expect(kv.drawer.getByTestId('kv-history-row').first()).toContainText('{"dark": false}');
    await kv.drawer.getByTestId('kv-history-use').last().click();
    await expect(kv.drawer.getByTestId('kv-value')).toHaveValue(/"dark": true/);

    // Delete the key: it stays listed as deleted.
    await kv.drawer.getByTestId('kv-delete-key').click();
    await app.getByTestId('kv-key-confirm').getByTestId('confirm-ok').click();
    await expect(kv.drawer.getByTestId('kv-entry-meta')).toContainText('deleted');
    await kv.closeDrawer();
    await kv.pane.getByTestId('kv-keys-refresh').click();
    await expect(kv.key('app.theme')).toContainText('deleted');

    // Delete the bucket behind its typed name.
    await kv.pane.getByTestId('kv-delete-bucket').click();
    const dialog = app.getByTestId('kv-delete-bucket-dialog');
    await expect(dialog.getByTestId('confirm-ok')).toBeDisabled();
    await dialog.getByTestId('confirm-text').fill('settings');
    await dialog.getByTestId('confirm-ok').click();
    await expect(kv.bucket('settings')).toHaveCount(0);
    await expect(kvm.open('settings').then((b) => b.status())).rejects.toThrow();
  });

  test('filters keys with wildcards and follows changes live', async ({ app, shell, serve }, testInfo) => {
    nc = await natsConnect(serve.natsUrl!);
    const kvm = new Kvm(nc);
    const b = await kvm.create('profiles', { history: 3 });
    for (let i = 1; i <= 12; i++) await b.put(`users.u${i}.name`, JSON.stringify({ name: `user ${i}` }));
    await b.put('orders.1', '{"total": 12.5}');
    await shell.waitForState('connected');
    const kv = new KvPage(app);
    await kv.open();
    await kv.bucket('profiles').click();
    await expect(kv.pane.getByTestId('kv-key-row')).toHaveCount(13);

    await kv.pane.getByTestId('kv-filter').fill('users.*.name');
    await expect(kv.pane.getByTestId('kv-key-row')).toHaveCount(12);
    await kv.pane.getByTestId('kv-search').fill('u1');
    // u1, u10, u11, u12
    await expect(kv.pane.getByTestId('kv-key-row')).toHaveCount(4);
    await kv.pane.getByTestId('kv-search').fill('');
    await kv.pane.getByTestId('kv-filter').fill('');
    await expect(kv.pane.getByTestId('kv-key-row')).toHaveCount(13);

    // Live: a write from another client shows in the feed and in the key list.
    await kv.pane.getByTestId('kv-live').check();
    await expect(kv.pane.getByTestId('kv-live-state')).toHaveText('running');
    await b.put('users.u99.name', '{"name": "new"}');
    await b.delete('orders.1');
    await expect(kv.pane.getByTestId('kv-live-row')).toHaveCount(2);
    await expect(kv.pane.getByTestId('kv-live-row').first()).toContainText('orders.1');
    await expect(kv.key('users.u99.name')).toBeVisible();
    await expect(kv.key('orders.1')).toContainText('deleted');

    // Paused, the feed stands still; the resume brings what came meanwhile.
    await kv.pane.getByTestId('kv-live-pause').click();
    await expect(kv.pane.getByTestId('kv-live-state')).toHaveText('paused');
    await b.put('users.u98.name', '{"name": "while paused"}');
    await expect(kv.pane.getByTestId('kv-live-row')).toHaveCount(2);
    await kv.pane.getByTestId('kv-live-pause').click();
    await expect(kv.pane.getByTestId('kv-live-state')).toHaveText('running');
    await expect(kv.pane.getByTestId('kv-live-row')).toHaveCount(3);
    await expect(kv.pane.getByTestId('kv-live-row').first()).toContainText('users.u98.name');

    for (const theme of ['dark', 'light'] as const) {
      await setTheme(app, theme);
      for (const size of [
        { width: 1280, height: 800 },
        { width: 1920, height: 1080 },
      ]) {
        await app.setViewportSize(size);
        const name = `kv-${theme}-${size.width}.png`;
        const shot = await app.screenshot();
        await testInfo.attach(name, { body: shot, contentType: 'image/png' });
        if (process.env.JETDECK_SHOTS_DIR)
          await app.screenshot({ path: `${process.env.JETDECK_SHOTS_DIR}/${name}` });
        await kv.openKey('users.u1.name');
        const drawer = `kv-key-${theme}-${size.width}.png`;
        await testInfo.attach(drawer, { body: await app.screenshot(), contentType: 'image/png' });
        if (process.env.JETDECK_SHOTS_DIR)
          await app.screenshot({ path: `${process.env.JETDECK_SHOTS_DIR}/${drawer}` });
        await kv.closeDrawer();
      }
    }

    // Turning Live off ends the watch in the core (its consumer goes with it).
    await kv.pane.getByTestId('kv-live').uncheck();
    await expect
      .poll(async () => (await b.status()).streamInfo.state.consumer_count, { timeout: 10_000 })
      .toBe(0);
  });
});
