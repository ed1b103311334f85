import { headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTIONS_PER_CLIENT } from '../../api/features/corenats';
import { ClientScope } from '../../core/clients/client-scope';
import { makeTestCore, type TestCore } from '../harness/core';
import { recordEvents } from '../harness/events';
import type { TestServer } from '../harness/nats-server';
import { b64, sharedSeededCore, unb64, until, type Seeder } from '../messages/helpers';

let server: TestServer;
let t: TestCore;
let s: Seeder;

sharedSeededCore(async (env) => {
  ({ server, t, s } = env);
});

/** The next message `nc` receives on `subject` (subscribed before `act` runs). */
async function nextOn(nc: NatsConnection, subject: string, act: () => Promise<unknown>): Promise<Msg> {
  const sub = nc.subscribe(subject, { max: 1 });
  await nc.flush();
  const got = (async () => {
    for await (const m of sub) return m;
    throw new Error('subscription ended without a message');
  })();
  await act();
  return got;
}

/** Subjects the server holds subscriptions on, across every connection (monitoring endpoint). */
async function serverSubjects(): Promise<string[]> {
  const res = await fetch(`${server.monitorUrl}/connz?subs=1`);
  const body = (await res.json()) as { connections: { subscriptions_list?: string[] }[] };
  return body.connections.flatMap((c) => c.subscriptions_list ?? []);
}

describe('core.publish', () => {
  it('publishes text with headers and a reply subject to any subject', async () => {
    const m = await nextOn(s.nc, 'pub.one', () =>
      t.call('core.publish', {
        subject: 'pub.one',
        data: 'hello',
        headers: { 'X-Trace': ['a', 'b'], Kind: ['greeting'] },
        reply: 'answers.here',
      }),
    );
    expect(new TextDecoder().decode(m.data)).toBe('hello');
    expect(m.headers?.values('X-Trace')).toEqual(['a', 'b']);
    expect(m.headers?.get('Kind')).toBe('greeting');
    expect(m.reply).toBe('answers.here');
  });

  it('publishes bytes given as base64 unchanged', async () => {
    const bytes = Uint8Array.from([0, 1, 2, 255, 254]);
    const m = await nextOn(s.nc, 'pub.bin', () =>
      t.call('core.publish', {
        subject: 'pub.bin',
        data: Buffer.from(bytes).toString('base64'),
        encoding: 'base64',
      }),
    );
    expect([...m.data]).toEqual([...bytes]);
  });

  it('refuses wildcards, bad header names and bad base64 with invalid_input naming the field', async () => {
    await expect(t.call('core.publish', { subject: 'pub.*', data: 'x' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/subject: publish to a concrete subject/),
    });
    await expect(
      t.call('core.publish', { subject: 'pub.x', headers: { 'Bad Name': ['v'] } }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/header names/) });
    await expect(
      t.call('core.publish', { subject: 'pub.x', headers: { Ok: ['line\r\nInjected: 1'] } }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/one line/) });
    await expect(
      t.call('core.publish', { subject: 'pub.x', data: 'not base64!', encoding: 'base64' }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^data: .*base64/) });
  });

  it('refuses a payload over the server max_payload with payload_too_large', async () => {
    const max = s.nc.info!.max_payload;
    await expect(
      t.call('core.publish', { subject: 'pub.big', data: 'x'.repeat(max + 1) }),
    ).rejects.toMatchObject({ code: 'payload_too_large', detail: { size: max + 1, max } });
  });
});

describe('core.request', () => {
  it('returns the first reply with its headers and the round trip', async () => {
    const responder = s.nc.subscribe('svc.echo', {
      callback: (_e, m) => {
        const h = headers();
        h.set('Echoed-From', m.headers?.get('Who') ?? '?');
        m.respond(`echo:${new TextDecoder().decode(m.data)}`, { headers: h });
      },
    });
    await s.nc.flush();
    try {
      const r = await t.call('core.request', {
        subject: 'svc.echo',
        data: 'ping',
        headers: { Who: ['test'] },
        timeoutMs: 5000,
      });
      expect(unb64(r.data)).toBe('echo:ping');
      expect(r.headers?.['Echoed-From']).toEqual(['test']);
      expect(r.contentType).toBe('text');
      expect(r.size).toBe('echo:ping'.length);
      expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
    } finally {
      responder.unsubscribe();
    }
  });

  it('says no responders when nothing listens on the subject', async () => {
    await expect(t.call('core.request', { subject: 'svc.nobody', timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'not_found',
      message: 'no responders on svc.nobody: nothing is subscribed to answer it',
    });
  });

  it('times out when a listener never answers', async () => {
    const silent = s.nc.subscribe('svc.silent', { callback: () => {} });
    await s.nc.flush();
    try {
      await expect(t.call('core.request', { subject: 'svc.silent', timeoutMs: 200 })).rejects.toMatchObject({
        code: 'timeout',
        message: 'no reply on svc.silent within 200 ms',
      });
    } finally {
      silent.unsubscribe();
    }
  });

  it('caps the timeout at 60 s', async () => {
    await expect(t.call('core.request', { subject: 'svc.echo', timeoutMs: 60_001 })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^timeoutMs: /),
    });
  });
});

describe('core.subscribe', () => {
  it('follows a wildcard subject in batches, with headers and reply subjects', async () => {
    const batches = recordEvents(t.core.bus, 'core.messages');
    try {
      const info = await t.call('core.subscribe', { subject: 'wild.*.x' });
      expect(info).toMatchObject({ subject: 'wild.*.x', state: 'running', received: 0, dropped: 0 });
      const h = headers();
      h.set('K', 'v');
      s.nc.publish('wild.a.x', '{"n":1}', { headers: h, reply: 'back.here' });
      s.nc.publish('wild.a.y', 'not matched');
      s.nc.publish('wild.b.x', 'two');
      await s.nc.flush();
      const got = () => batches.seen.filter((b) => b.subId === info.subId).flatMap((b) => b.messages);
      await until(got, (ms) => ms.length >= 2);
      const ms = got();
      expect(ms.map((m) => m.subject)).toEqual(['wild.a.x', 'wild.b.x']);
      expect(ms[0]).toMatchObject({ reply: 'back.here', headers: { K: ['v'] }, contentType: 'json' });
      expect(unb64(ms[1].data)).toBe('two');
      await t.call('core.unsubscribe', { subId: info.subId });
    } finally {
      batches.off();
    }
  });

  it('keeps only the newest bufferSize while paused and counts the rest as dropped', async () => {
    const batches = recordEvents(t.core.bus, 'core.messages');
    try {
      const info = await t.call('core.subscribe', { subject: 'bounded.>', bufferSize: 5 });
      expect((await t.call('core.pause', { subId: info.subId })).state).toBe('paused');
      for (let i = 0; i < 20; i++) s.nc.publish(`bounded.${i}`, String(i));
      await s.nc.flush();
      await until(
        () => t.call('core.subscriptions'),
        (r) => r.subscriptions.some((x) => x.subId === info.subId && x.received === 20),
      );
      // Nothing leaves while paused.
      expect(batches.seen.filter((b) => b.subId === info.subId)).toEqual([]);
      const resumed = await t.call('core.resume', { subId: info.subId });
      expect(resumed).toMatchObject({ state: 'running', received: 20, dropped: 15 });
      const b = await batches.waitFor((x) => x.subId === info.subId);
      expect(b).toMatchObject({ dropped: 15, received: 20 });
      expect(b.messages.map((m) => unb64(m.data))).toEqual(['15', '16', '17', '18', '19']);
      await t.call('core.unsubscribe', { subId: info.subId });
    } finally {
      batches.off();
    }
  });

  it('truncates payloads to previewBytes and reports the full size', async () => {
    const batches = recordEvents(t.core.bus, 'core.messages');
    try {
      const info = await t.call('core.subscribe', { subject: 'trunc', previewBytes: 4 });
      s.nc.publish('trunc', 'abcdefgh');
      const b = await batches.waitFor((x) => x.subId === info.subId);
      expect(b.messages[0]).toMatchObject({ size: 8, truncated: true, data: b64('abcd') });
      await t.call('core.unsubscribe', { subId: info.subId });
    } finally {
      batches.off();
    }
  });

  it('joins a queue group: two members share the messages', async () => {
    const batches = recordEvents(t.core.bus, 'core.messages');
    try {
      const a = await t.call('core.subscribe', { subject: 'q.work', queue: 'workers' });
      const b = await t.call('core.subscribe', { subject: 'q.work', queue: 'workers' });
      for (let i = 0; i < 50; i++) s.nc.publish('q.work', String(i));
      await s.nc.flush();
      const count = (id: string) =>
        batches.seen.filter((x) => x.subId === id).reduce((n, x) => n + x.messages.length, 0);
      await until(
        () => count(a.subId) + count(b.subId),
        (n) => n === 50,
      );
      expect(a.queue).toBe('workers');
      await t.call('core.unsubscribe', { subId: a.subId });
      await t.call('core.unsubscribe', { subId: b.subId });
    } finally {
      batches.off();
    }
  });

  it('ends with the client that started it, removing the server subscription', async () => {
    const client = new ClientScope('window');
    const info = await t.core.router.invoke(
      'core.subscribe',
      { subject: 'owned.by.window' },
      { transport: 'test', client },
    );
    expect(await serverSubjects()).toContain('owned.by.window');
    const states = recordEvents(t.core.bus, 'core.subscription.state');
    try {
      client.close();
      await states.waitFor((x) => x.subId === info.subId && x.state === 'stopped');
      const list = await t.call('core.subscriptions');
      expect(list.subscriptions.map((x) => x.subId)).not.toContain(info.subId);
      await until(serverSubjects, (subjects) => !subjects.includes('owned.by.window'));
      await expect(t.call('core.pause', { subId: info.subId })).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      states.off();
    }
  });

  it(`allows ${MAX_SUBSCRIPTIONS_PER_CLIENT} per client and none over REST`, async () => {
    const client = new ClientScope('busy window');
    const call = (subject: string) =>
      t.core.router.invoke('core.subscribe', { subject }, { transport: 'test', client });
    for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_CLIENT; i++) await call(`cap.${i}`);
    await expect(call('cap.over')).rejects.toMatchObject({ code: 'conflict', detail: { limit: 8 } });
    // Another client still gets one.
    const other = await t.call('core.subscribe', { subject: 'cap.other' });
    await t.call('core.unsubscribe', { subId: other.subId });
    await expect(
      t.core.router.invoke('core.subscribe', { subject: 'cap.rest' }, { transport: 'rest' }),
    ).rejects.toMatchObject({ code: 'unsupported', message: expect.stringMatching(/connected client/) });
    client.close();
    await until(
      () => t.call('core.subscriptions'),
      (r) => !r.subscriptions.some((x) => x.subject.startsWith('cap.')),
    );
  });
});

describe('without a connection', () => {
  it('stops every subscription when the connection closes and refuses calls with not_connected', async () => {
    const own = makeTestCore();
    try {
      await own.connectTo(server.url);
      const info = await own.call('core.subscribe', { subject: 'gone.>' });
      const states = recordEvents(own.core.bus, 'core.subscription.state');
      await own.call('connections.disconnect');
      await states.waitFor((x) => x.subId === info.subId && x.state === 'stopped');
      states.off();
      expect((await own.call('core.subscriptions')).subscriptions).toEqual([]);
      await expect(own.call('core.publish', { subject: 'x', data: '' })).rejects.toMatchObject({
        code: 'not_connected',
      });
    } finally {
      await own.dispose();
    }
  });
});
