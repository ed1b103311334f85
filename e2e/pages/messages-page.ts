import type { Locator, Page } from '@playwright/test';
import { jetstream, jetstreamManager, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/** The Messages screen: stream picker, seek, subject filter, list, detail, replay dialog. */
export class MessagesPage {
  readonly list: Locator;
  readonly rows: Locator;
  readonly detail: Locator;
  readonly replayDialog: Locator;

  constructor(readonly page: Page) {
    this.list = page.getByTestId('message-list');
    this.rows = page.getByTestId('message-row');
    this.detail = page.getByTestId('message-detail');
    this.replayDialog = page.getByTestId('replay-dialog');
  }

  async open(stream?: string): Promise<void> {
    await this.page.getByTestId('nav-messages').click();
    await this.page.getByTestId('messages-screen').waitFor();
    if (stream) await this.pickStream(stream);
  }

  async pickStream(stream: string): Promise<void> {
    const select = this.page.getByTestId('msg-stream');
    await select
      .locator(`option[value="${stream}"], option:text-is("${stream}")`)
      .first()
      .waitFor({ state: 'attached' });
    await select.selectOption(stream);
    await this.waitLoaded();
  }

  /** Waits until the list shows rows and no page request is in flight. */
  async waitLoaded(): Promise<void> {
    await this.page.locator('[data-testid="message-list"][data-loading="false"]').waitFor();
    await this.rows.first().waitFor();
  }

  row(seq: number): Locator {
    return this.page.locator(`[data-testid="message-row"][data-seq="${seq}"]`);
  }

  /** Sequence numbers of the rendered rows, top to bottom. */
  async visibleSeqs(): Promise<number[]> {
    const seqs = await this.rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    return seqs;
  }

  async seekToTime(iso: string): Promise<void> {
    await this.page.getByTestId('msg-start-kind').selectOption('time');
    // datetime-local takes local time without a zone.
    const local = await this.page.evaluate((t) => {
      const d = new Date(t);
      const p = (n: number, w = 2) => String(n).padStart(w, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
    }, iso);
    await this.page.getByTestId('msg-start-time').fill(local);
    await this.page.getByTestId('msg-go').click();
    await this.waitLoaded();
  }

  async seekToSeq(seq: number): Promise<void> {
    await this.page.getByTestId('msg-start-kind').selectOption('seq');
    await this.page.getByTestId('msg-start-seq').fill(String(seq));
    await this.page.getByTestId('msg-go').click();
    await this.waitLoaded();
  }

  async filterSubject(subject: string): Promise<void> {
    await this.page.getByTestId('msg-subject').fill(subject);
    await this.page.getByTestId('msg-subject').press('Enter');
    await this.waitLoaded();
  }

  /** Clicks the custom scrollbar's track at `fraction` of its height (0 = top, 1 = bottom). */
  async clickScrollbar(fraction: number): Promise<void> {
    const bar = this.page.getByTestId('message-scrollbar');
    const box = (await bar.boundingBox())!;
    await this.page.mouse.click(
      box.x + box.width / 2,
      box.y + Math.max(1, Math.min(box.height - 1, box.height * fraction)),
    );
    await this.waitLoaded();
  }

  /** Drags the scrollbar thumb to the bottom of the track. */
  async dragThumbToEnd(): Promise<void> {
    const thumb = this.page.getByTestId('message-thumb');
    const bar = (await this.page.getByTestId('message-scrollbar').boundingBox())!;
    const t = (await thumb.boundingBox())!;
    await this.page.mouse.move(t.x + t.width / 2, t.y + t.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(t.x + t.width / 2, bar.y + bar.height / 2, { steps: 4 });
    await this.page.mouse.move(t.x + t.width / 2, bar.y + bar.height + 40, { steps: 4 });
    await this.page.mouse.up();
    await this.waitLoaded();
  }

  async wheel(deltaY: number): Promise<void> {
    await this.page.getByTestId('message-viewport').hover();
    await this.page.mouse.wheel(0, deltaY);
  }
}

// ---------- seeding through nats.js (runs in the test process, not in the browser) ----------

export async function natsConnect(url: string): Promise<NatsConnection> {
  return connect({ servers: url });
}

/** Creates a stream and publishes `count` messages with JetStream acks, `window` in flight. */
export async function seedWithAcks(
  nc: NatsConnection,
  config: Partial<StreamConfig> & { name: string; subjects: string[] },
  count: number,
  make: (i: number) => { subject: string; data: string | Uint8Array },
  window = 256,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add(config);
  const js = jetstream(nc);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const m = make(next++);
      await js.publish(m.subject, m.data);
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, worker));
}

/**
 * Fast bulk seed: core publishes (no per-message ack) flushed in chunks, then waits until the
 * stream has stored them all. A million 16-byte messages take a few seconds.
 */
export async function seedBulk(
  nc: NatsConnection,
  stream: string,
  subject: string,
  count: number,
  timeoutMs = 60_000,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  // Memory storage: the browser reads the same way, and a million messages store in seconds.
  await jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.Memory });
  const payload = new TextEncoder().encode('{"n":1234567890}');
  const CHUNK = 50_000;
  for (let i = 0; i < count; i += CHUNK) {
    const n = Math.min(CHUNK, count - i);
    for (let j = 0; j < n; j++) nc.publish(subject, payload);
    await nc.flush();
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const si = await jsm.streams.info(stream);
    if (si.state.messages >= count) return;
    if (Date.now() > deadline) throw new Error(`stream ${stream} stored ${si.state.messages} of ${count}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
