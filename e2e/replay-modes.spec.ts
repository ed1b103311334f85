import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { expect, test } from './fixtures';
import { MessagesPage, natsConnect } from './pages/messages-page';

let nc: NatsConnection | undefined;
test.afterEach(async () => {
  await nc?.close();
  nc = undefined;
});

test('replay names its two modes; a faithful copy keeps bytes and headers and moves the msg id', async ({
  app,
  serve,
}) => {
  nc = await natsConnect(serve.natsUrl!);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'AUDIT', subjects: ['audit.>'], duplicate_window: 120_000_000_000 });
  const h = headers();
  h.set('Nats-Msg-Id', 'evt-1');
  h.set('X-Source', 'billing');
  const body = '{"id":"evt-1","kind":"invoice"}';
  const ack = await jetstream(nc).publish('audit.invoice', body, { headers: h });

  const messages = new MessagesPage(app);
  await messages.open('AUDIT');
  await messages.row(ack.seq).getByTestId('message-check').check();
  await app.getByTestId('open-replay').click();
  const dlg = messages.replayDialog;
  await expect(dlg.getByTestId('replay-mode')).toContainText('Re-run as new tasks');
  await expect(dlg.getByTestId('replay-mode')).toContainText('Faithful copy');
  await expect(dlg.getByTestId('replay-mode-rerun')).toBeChecked();
  await dlg.getByTestId('replay-mode-faithful').check();
  await dlg.getByTestId('replay-dry-run').click();
  await expect(dlg.getByTestId('dry-run-count')).toHaveText('1');
  await dlg.getByTestId('replay-start').click();
  await expect(dlg.getByTestId('job-progress')).toHaveAttribute('data-state', 'done');
  await expect(dlg.getByTestId('job-sent')).toHaveText('1 of 1');

  const copy = await jsm.streams.getMessage('AUDIT', { seq: ack.seq + 1 });
  expect(copy!.string()).toBe(body);
  expect(copy!.header.get('X-Source')).toBe('billing');
  expect(copy!.header.get('JetDeck-Replay-Msg-Id')).toBe('evt-1');
  expect(copy!.header.has('Nats-Msg-Id')).toBe(false);
});
