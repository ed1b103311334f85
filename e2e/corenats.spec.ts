import type { NatsConnection } from '@nats-io/transport-node';
import { expect, test } from './fixtures';
import { callApi } from './pages/api';
import { CoreNatsPage } from './pages/corenats-page';
import { natsConnect } from './pages/messages-page';

let nc: NatsConnection | undefined;
test.afterEach(async () => {
  await nc?.close();
  nc = undefined;
});

test('publish with headers to a wildcard subscription, open the message, pause and resume', async ({
  app,
  shell,
  serve,
}) => {
  nc = await natsConnect(serve.natsUrl!);
  await shell.waitForState('connected');
  await shell.goto('corenats');
  const cn = new CoreNatsPage(app);
  await expect(app.getByTestId('cn-no-subs')).toBeVisible();

  await cn.subscribe('e2e.*.events');
  await cn.publish('e2e.orders.events', '{"order": 42, "note": "hello"}', [['X-Trace', 't-1']]);
  await expect(cn.outcome).toHaveText(/Published 30 B to e2e\.orders\.events/);
  await expect(cn.rows).toHaveCount(1);
  await cn.rows.first().getByRole('button').click();
  await expect(cn.detail.getByTestId('cn-detail-subject')).toHaveText('e2e.orders.events');
  await expect(cn.detail.getByTestId('cn-detail-headers')).toContainText('X-Trace');
  await expect(cn.detail.getByTestId('cn-detail-headers')).toContainText('t-1');
  await expect(cn.detail.getByTestId('json-key').filter({ hasText: '"order"' })).toBeVisible();

  // A subject the wildcard does not match never shows.
  nc.publish('e2e.orders.other', 'x');
  // Paused: the core counts what arrives but sends nothing until resumed.
  await app.getByTestId('cn-sub-pause').click();
  await expect(app.getByTestId('cn-sub-state')).toHaveText('paused');
  for (let i = 0; i < 5; i++) nc.publish(`e2e.p${i}.events`, `paused ${i}`);
  await nc.flush();
  await expect
    .poll(async () => (await callApi(serve, 'core.subscriptions')).subscriptions[0]?.received)
    .toBe(6);
  await expect(cn.rows).toHaveCount(1);
  await app.getByTestId('cn-sub-pause').click();
  await expect(app.getByTestId('cn-sub-state')).toHaveText('running');
  await expect(cn.rows).toHaveCount(6);
  await expect(app.getByTestId('cn-sub-received')).toContainText('6 received');
  await expect(cn.rows.filter({ hasText: 'e2e.orders.other' })).toHaveCount(0);
  await expect(shell.errorToasts).toHaveCount(0);
});

test('request/reply shows the reply; no responders and timeouts are said plainly', async ({
  app,
  shell,
  serve,
}) => {
  nc = await natsConnect(serve.natsUrl!);
  nc.subscribe('e2e.svc.greet', {
    callback: (_e, m) => {
      m.respond(JSON.stringify({ greeting: `hi ${new TextDecoder().decode(m.data)}` }));
    },
  });
  nc.subscribe('e2e.svc.silent', { callback: () => {} });
  await nc.flush();
  await shell.waitForState('connected');
  await shell.goto('corenats');
  const cn = new CoreNatsPage(app);

  await cn.request('e2e.svc.greet', 'ada');
  await expect(cn.outcome).toHaveText(/Reply in [\d.]+ ms/);
  await expect(cn.reply.getByTestId('json-key').filter({ hasText: '"greeting"' })).toBeVisible();
  await expect(cn.reply.getByTestId('cn-reply-view-payload')).toContainText('"hi ada"');

  await cn.request('e2e.svc.nobody', '');
  await expect(cn.outcome).toHaveText('no responders on e2e.svc.nobody: nothing is subscribed to answer it');

  await cn.request('e2e.svc.silent', '', 300);
  await expect(cn.outcome).toHaveText('no reply on e2e.svc.silent within 300 ms');

  // The form checks with the contract's schema before calling.
  await cn.request('e2e.svc.*', '');
  await expect(app.getByTestId('error-cn-subject')).toContainText('concrete subject');
  await expect(shell.errorToasts).toHaveCount(0);
});

test('a subscription ends with its window and is started again on the next one', async ({
  app,
  shell,
  serve,
}) => {
  await shell.waitForState('connected');
  await shell.goto('corenats');
  const cn = new CoreNatsPage(app);
  await cn.subscribe('e2e.owned.>');
  const before = (await callApi(serve, 'core.subscriptions')).subscriptions;
  expect(before.map((s) => s.subject)).toEqual(['e2e.owned.>']);

  // A reload is a new window: the old one's subscription ends in the core.
  await app.reload();
  await app.locator('body[data-app-state="ready"]').waitFor();
  await expect.poll(async () => (await callApi(serve, 'core.subscriptions')).subscriptions).toEqual([]);
  // REST cannot start one: nothing could receive its messages.
  await expect(callApi(serve, 'core.subscribe', { subject: 'e2e.rest' })).rejects.toThrow(/unsupported/);
});
