import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { NatsConnection } from '@nats-io/transport-node';
import { expect, test } from './fixtures';
import { SCREEN_IDS } from '../renderer/screen-ids';
import { CoreNatsPage } from './pages/corenats-page';
import { natsConnect, seedWithAcks } from './pages/messages-page';
import { setTheme } from './pages/shots';

/*
 * Every screen in both themes: axe-core finds no serious or critical violation, and nothing
 * overflows the viewport at 1280×800 or 1920×1080. Screenshots are attached to the report
 * (and written to JETDECK_SHOTS_DIR when set) so a person can look at them.
 */
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];

let nc: NatsConnection | undefined;
test.afterEach(async () => {
  await nc?.close();
  nc = undefined;
});

async function seed(url: string): Promise<NatsConnection> {
  const conn = await natsConnect(url);
  await seedWithAcks(
    conn,
    { name: 'ORDERS', subjects: ['orders.>'] },
    40,
    (i) => ({
      subject: `orders.${['eu', 'us', 'apac'][i % 3]}.created.with.a.rather.long.subject.name.${i}`,
      data: JSON.stringify({ id: `ord-${i + 1}`, amount: i * 2.5 }),
    }),
    4,
  );
  return conn;
}

/** A subscription with a message open, so the populated screen is what gets checked. */
async function showCoreNats(app: Page): Promise<void> {
  const cn = new CoreNatsPage(app);
  if ((await cn.rows.count()) === 0) {
    await cn.subscribe('orders.>');
    await cn.publish('orders.eu.created', '{"id": "ord-1", "amount": 12.5}', [['X-Trace', 'abc']]);
    await cn.rows.first().waitFor();
  }
  await cn.rows.first().getByRole('button').click();
  await cn.detail.waitFor();
}

for (const theme of ['dark', 'light'] as const) {
  test(`every screen in the ${theme} theme: no serious or critical axe violation, no overflow`, async ({
    app,
    shell,
    serve,
  }, testInfo) => {
    nc = await seed(serve.natsUrl!);
    await shell.waitForState('connected');
    await setTheme(app, theme);
    for (const size of SIZES) {
      await app.setViewportSize(size);
      for (const screen of SCREEN_IDS) {
        await shell.goto(screen);
        await app.getByTestId(`${screen}-screen`).waitFor();
        if (screen === 'messages') {
          await app.getByTestId('msg-stream').selectOption('ORDERS');
          await app.locator('[data-testid="message-list"][data-loading="false"]').waitFor();
          await app.getByTestId('message-row').first().waitFor();
        }
        if (screen === 'corenats') await showCoreNats(app);
        const shot = await app.screenshot();
        const name = `${screen}-${theme}-${size.width}.png`;
        await testInfo.attach(name, { body: shot, contentType: 'image/png' });
        if (process.env.JETDECK_SHOTS_DIR) {
          await app.screenshot({ path: `${process.env.JETDECK_SHOTS_DIR}/${name}` });
        }
        // Nothing wider than the window: the page itself never scrolls sideways.
        const overflow = await app.evaluate<number>(
          'document.documentElement.scrollWidth - window.innerWidth',
        );
        expect.soft(overflow, `${screen} at ${size.width}px overflows`).toBeLessThanOrEqual(0);
        if (size.width === 1280) {
          const result = await new AxeBuilder({ page: app }).analyze();
          const bad = result.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map(
              (v) =>
                `${v.id} (${v.impact}) ×${v.nodes.length}: ${v.nodes.map((n) => n.target.join(' ') + ' ' + (n.any[0]?.message ?? '')).join(' | ')}`,
            );
          expect.soft(bad, `${screen} in ${theme}`).toEqual([]);
        }
      }
    }
  });
}
