import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { ClientScope } from '../../core/clients/client-scope';
import { MAX_WATCHES_PER_CLIENT } from '../../core/kv/feature';
import type { TestCore } from '../harness/core';
import { recordEvents } from '../harness/events';
import { pollUntil } from '../harness/poll';
import { codeOf, sharedCore } from '../harness/fixtures';

let t: TestCore;

sharedCore((env) => {
  ({ t } = env);
});

/** The value an entry carries, as text. */
const text = (e: { base64?: string }) =>
  e.base64 === undefined ? undefined : Buffer.from(e.base64, 'base64').toString();

describe('KV buckets', () => {
  it('creates a bucket with history, TTL and storage, lists it, and refuses a second one of that name', async () => {
    const events = recordEvents(t.core.bus, 'kv.changed');
    const s = await t.call('kv.create', {
      bucket: 'orders',
      description: 'order state',
      history: 5,
      ttlMs: 3_600_000,
      storage: 'memory',
    });
    expect(s).toMatchObject({
      bucket: 'orders',
      description: 'order state',
      history: 5,
      ttlMs: 3_600_000,
      storage: 'memory',
      replicas: 1,
      keys: 0,
      values: 0,
    });
    expect(events.seen).toContainEqual({ bucket: 'orders', change: 'created' });
    const { buckets } = await t.call('kv.list', { search: 'ORD' });
    expect(buckets.map((b) => b.bucket)).toEqual(['orders']);
    expect(await codeOf(t.call('kv.create', { bucket: 'orders' }))).toBe('conflict');
    // The failed create did not reconfigure the bucket.
    expect((await t.call('kv.info', { bucket: 'orders' })).history).toBe(5);
  });

  it('rejects bad bucket names, keys, filters and history with invalid_input', async () => {
    expect(await codeOf(t.call('kv.create', { bucket: 'a.b' }))).toBe('invalid_input');
    expect(await codeOf(t.call('kv.create', { bucket: 'h', history: 65 }))).toBe('invalid_input');
    expect(await codeOf(t.call('kv.get', { bucket: 'orders', key: 'a..b' }))).toBe('invalid_input');
    expect(await codeOf(t.call('kv.get', { bucket: 'orders', key: 'a b' }))).toBe('invalid_input');
    expect(await codeOf(t.call('kv.keys', { bucket: 'orders', filter: 'a.>.b' }))).toBe('invalid_input');
    expect(await codeOf(t.call('kv.info', { bucket: 'nope' }))).toBe('not_found');
  });

  it('deletes a bucket only when its name is confirmed', async () => {
    await t.call('kv.create', { bucket: 'gone' });
    expect(await codeOf(t.call('kv.delete', { bucket: 'gone', confirmName: 'gon' }))).toBe('invalid_input');
    expect(await t.call('kv.delete', { bucket: 'gone', confirmName: 'gone' })).toEqual({ deleted: true });
    expect(await codeOf(t.call('kv.info', { bucket: 'gone' }))).toBe('not_found');
    expect(await codeOf(t.call('kv.delete', { bucket: 'gone', confirmName: 'gone' }))).toBe('not_found');
  });

  it('expires values after the bucket TTL', async () => {
    await t.call('kv.create', { bucket: 'short', ttlMs: 1000 });
    await t.call('kv.put', { bucket: 'short', key: 'k', value: 'v' });
    expect(text(await t.call('kv.get', { bucket: 'short', key: 'k' }))).toBe('v');
    const code = await pollUntil(() => codeOf(t.call('kv.get', { bucket: 'short', key: 'k' })), {
      what: 'the value to expire',
      ok: (c) => c === 'not_found',
    });
    expect(code).toBe('not_found');
  });
});

describe('KV values', () => {
  beforeAll(async () => {
    await t.call('kv.create', { bucket: 'vals', history: 10 });
  });

  it('writes JSON, text and hex and reads each back with its readings', async () => {
    await t.call('kv.put', { bucket: 'vals', key: 'cfg.json', value: '{"a": [1, 2]}', format: 'json' });
    await t.call('kv.put', { bucket: 'vals', key: 'cfg.text', value: 'hello wörld', format: 'text' });
    await t.call('kv.put', { bucket: 'vals', key: 'cfg.bin', value: '00 ff 10 0a', format: 'hex' });

    const j = await t.call('kv.get', { bucket: 'vals', key: 'cfg.json' });
    expect(j).toMatchObject({ key: 'cfg.json', operation: 'PUT', contentType: 'json' });
    expect(text(j)).toBe('{"a": [1, 2]}');
    const txt = await t.call('kv.get', { bucket: 'vals', key: 'cfg.text' });
    expect(txt).toMatchObject({ contentType: 'text', length: Buffer.byteLength('hello wörld') });
    expect(text(txt)).toBe('hello wörld');
    const bin = await t.call('kv.get', { bucket: 'vals', key: 'cfg.bin' });
    expect(bin.contentType).toBe('binary');
    expect(bin.length).toBe(4);
    expect(Buffer.from(bin.base64!, 'base64')).toEqual(Buffer.from([0x00, 0xff, 0x10, 0x0a]));
  });

  it('refuses a value that does not parse in its format, naming the value field', async () => {
    for (const [value, format] of [
      ['{"a":', 'json'],
      ['0g', 'hex'],
      ['abc', 'hex'],
      ['@@@@', 'base64'],
    ] as const) {
      const err = await t
        .call('kv.put', { bucket: 'vals', key: 'bad', value, format })
        .catch((e: unknown) => e);
      expect(err, `${format} ${value}`).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('invalid_input');
      expect(JSON.stringify((err as ApiError).detail)).toContain('"value"');
    }
    expect(await codeOf(t.call('kv.get', { bucket: 'vals', key: 'bad' }))).toBe('not_found');
  });

  it('writes only at the expected revision (0 = only a new key)', async () => {
    const r1 = (await t.call('kv.put', { bucket: 'vals', key: 'occ', value: 'one', expectRevision: 0 }))
      .revision;
    expect(
      await codeOf(t.call('kv.put', { bucket: 'vals', key: 'occ', value: 'x', expectRevision: 0 })),
    ).toBe('conflict');
    const r2 = (await t.call('kv.put', { bucket: 'vals', key: 'occ', value: 'two', expectRevision: r1 }))
      .revision;
    expect(r2).toBeGreaterThan(r1);
    expect(
      await codeOf(t.call('kv.put', { bucket: 'vals', key: 'occ', value: 'x', expectRevision: r1 })),
    ).toBe('conflict');
    expect(text(await t.call('kv.get', { bucket: 'vals', key: 'occ' }))).toBe('two');
    expect(text(await t.call('kv.get', { bucket: 'vals', key: 'occ', revision: r1 }))).toBe('one');
  });

  it('keeps a key history newest first, a delete as a DEL revision, and purge leaves one PURGE marker', async () => {
    for (const v of ['v1', 'v2', 'v3']) await t.call('kv.put', { bucket: 'vals', key: 'hist', value: v });
    await t.call('kv.deleteKey', { bucket: 'vals', key: 'hist' });
    const h = await t.call('kv.history', { bucket: 'vals', key: 'hist', previewBytes: 1 });
    expect(h.entries.map((e) => e.operation)).toEqual(['DEL', 'PUT', 'PUT', 'PUT']);
    expect(h.entries.slice(1).map(text)).toEqual(['v', 'v', 'v']);
    expect(h.entries[1]).toMatchObject({ truncated: true, length: 2 });
    const revs = h.entries.map((e) => e.revision);
    expect([...revs].sort((a, b) => b - a)).toEqual(revs);
    expect((await t.call('kv.get', { bucket: 'vals', key: 'hist' })).operation).toBe('DEL');

    await t.call('kv.purgeKey', { bucket: 'vals', key: 'hist' });
    const after = await t.call('kv.history', { bucket: 'vals', key: 'hist' });
    expect(after.entries.map((e) => e.operation)).toEqual(['PURGE']);
    expect(await codeOf(t.call('kv.deleteKey', { bucket: 'vals', key: 'never' }))).toBe('not_found');
  });
});

describe('KV key browser', () => {
  beforeAll(async () => {
    await t.call('kv.create', { bucket: 'keys', history: 3 });
    for (let i = 0; i < 30; i++)
      await t.call('kv.put', {
        bucket: 'keys',
        key: `users.u${String(i).padStart(2, '0')}.name`,
        value: `n${i}`,
      });
    await t.call('kv.put', { bucket: 'keys', key: 'users.u00.name', value: 'renamed' });
    await t.call('kv.put', { bucket: 'keys', key: 'orders.1', value: '{}' });
    await t.call('kv.deleteKey', { bucket: 'keys', key: 'users.u29.name' });
  });

  it('lists the newest entry of each key matching a wildcard filter, deletes included, sorted', async () => {
    const all = await t.call('kv.keys', { bucket: 'keys' });
    expect(all.keys).toHaveLength(31);
    expect(all.truncated).toBe(false);
    expect(all.keys[0].key).toBe('orders.1');
    const u00 = all.keys.find((k) => k.key === 'users.u00.name')!;
    expect(u00).toMatchObject({ length: 'renamed'.length, operation: 'PUT' });
    expect(u00.base64).toBeUndefined();
    expect(all.keys.find((k) => k.key === 'users.u29.name')?.operation).toBe('DEL');

    const users = await t.call('kv.keys', { bucket: 'keys', filter: 'users.*.name' });
    expect(users.keys.map((k) => k.key)).not.toContain('orders.1');
    expect(users.keys).toHaveLength(30);
    const u0 = await t.call('kv.keys', { bucket: 'keys', filter: 'users.>', search: 'U0' });
    expect(u0.keys.map((k) => k.key)).toEqual(Array.from({ length: 10 }, (_, i) => `users.u0${i}.name`));
  });

  it('a bucket keeping one revision per key: every key once, at its newest revision, over interior deletes', async () => {
    await t.call('kv.create', { bucket: 'keys1', history: 1 });
    const key = (i: number) => `k.${String(i).padStart(3, '0')}`;
    for (let i = 0; i < 120; i++) await t.call('kv.put', { bucket: 'keys1', key: key(i), value: `v${i}` });
    // Rewrites and deletes leave holes all through the bucket's stream.
    for (let i = 0; i < 120; i += 3) await t.call('kv.put', { bucket: 'keys1', key: key(i), value: 'again' });
    for (let i = 0; i < 120; i += 10) await t.call('kv.deleteKey', { bucket: 'keys1', key: key(i) });
    const list = await t.call('kv.keys', { bucket: 'keys1' });
    expect(list.keys.map((k) => k.key)).toEqual(Array.from({ length: 120 }, (_, i) => key(i)));
    for (const i of [1, 3, 10, 33, 119]) {
      const listed = list.keys[i];
      expect(listed.operation).toBe(i % 10 === 0 ? 'DEL' : 'PUT');
      if (listed.operation === 'PUT')
        expect(listed.revision).toBe((await t.call('kv.get', { bucket: 'keys1', key: key(i) })).revision);
    }
    const cut = await t.call('kv.keys', { bucket: 'keys1', limit: 50 });
    expect(new Set(cut.keys.map((k) => k.key)).size).toBe(50);
    expect(cut.truncated).toBe(true);
  });

  it('stops at the limit and says the list is truncated', async () => {
    const r = await t.call('kv.keys', { bucket: 'keys', limit: 7 });
    expect(r.keys).toHaveLength(7);
    expect(r.truncated).toBe(true);
    // The listing's consumer is gone after the call.
    const jsm = await t.core.connections.require().jsm();
    expect((await jsm.streams.info('KV_keys')).state.consumer_count).toBe(0);
  });
});

describe('KV live watch', () => {
  beforeAll(async () => {
    await t.call('kv.create', { bucket: 'live' });
  });

  it('sends new revisions matching the filter in batches', async () => {
    const batches = recordEvents(t.core.bus, 'kv.watch');
    const w = await t.call('kv.watch.start', { bucket: 'live', filter: 'a.>' });
    await t.call('kv.put', { bucket: 'live', key: 'b.x', value: 'not me' });
    await t.call('kv.put', { bucket: 'live', key: 'a.x', value: '{"n":1}' });
    await t.call('kv.deleteKey', { bucket: 'live', key: 'a.x' });
    const seen = () => batches.seen.filter((b) => b.watchId === w.watchId).flatMap((b) => b.entries);
    await pollUntil(seen, { what: 'two changes', ok: (e) => e.length >= 2 });
    expect(seen().map((e) => [e.key, e.operation])).toEqual([
      ['a.x', 'PUT'],
      ['a.x', 'DEL'],
    ]);
    expect(seen()[0].contentType).toBe('json');
    expect(text(seen()[0])).toBe('{"n":1}');
    expect(await t.call('kv.watch.stop', { watchId: w.watchId })).toEqual({ stopped: true });
    expect(await t.call('kv.watch.stop', { watchId: w.watchId })).toEqual({ stopped: false });
  });

  it('holds at most bufferSize changes per batch and counts the rest as dropped', async () => {
    const batches = recordEvents(t.core.bus, 'kv.watch');
    const w = await t.call('kv.watch.start', { bucket: 'live', filter: 'burst.>', bufferSize: 2 });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.call('kv.put', { bucket: 'live', key: `burst.${i}`, value: 'x' }),
      ),
    );
    const mine = () => batches.seen.filter((b) => b.watchId === w.watchId);
    const total = () => mine().reduce((n, b) => n + b.entries.length + b.dropped, 0);
    await pollUntil(total, { what: '50 changes accounted for', ok: (n) => n === 50 });
    expect(mine().every((b) => b.entries.length <= 2)).toBe(true);
    await t.call('kv.watch.stop', { watchId: w.watchId });
  });

  it('pauses like a core subscription: nothing is sent, the newest bufferSize wait for the resume', async () => {
    const batches = recordEvents(t.core.bus, 'kv.watch');
    const states = recordEvents(t.core.bus, 'kv.watch.state');
    const w = await t.call('kv.watch.start', { bucket: 'live', filter: 'held.>', bufferSize: 3 });
    expect(await t.call('kv.watch.pause', { watchId: w.watchId })).toMatchObject({ state: 'paused' });
    await states.waitFor((s) => s.watchId === w.watchId && s.state === 'paused', { timeoutMs: 5000 });
    for (let i = 0; i < 10; i++)
      await t.call('kv.put', { bucket: 'live', key: `held.${i}`, value: String(i) });
    // Every change reached the paused watch…
    await pollUntil(() => t.call('kv.watch.pause', { watchId: w.watchId }), {
      what: 'the paused watch to receive 10 changes',
      ok: (info) => info.received === 10 && info.state === 'paused',
    });
    // …and none was sent while paused.
    const mine = () => batches.seen.filter((b) => b.watchId === w.watchId);
    expect(mine()).toEqual([]);
    expect(await t.call('kv.watch.resume', { watchId: w.watchId })).toMatchObject({ state: 'running' });
    // The resume sends the newest three at once, the seven before them counted as dropped.
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.entries.map((e) => e.key)).toEqual(['held.7', 'held.8', 'held.9']);
    expect(mine()[0]!.dropped).toBe(7);
    // Running again: the next change comes in a batch of its own.
    await t.call('kv.put', { bucket: 'live', key: 'held.after', value: 'x' });
    await pollUntil(() => mine().flatMap((b) => b.entries.map((e) => e.key)), {
      what: 'the change after the resume',
      ok: (keys) => keys.includes('held.after'),
    });
    await t.call('kv.watch.stop', { watchId: w.watchId });
    expect(await codeOf(t.call('kv.watch.resume', { watchId: w.watchId }))).toBe('not_found');
  });

  it('ends with the client that started it, and one client runs at most the cap', async () => {
    const client = new ClientScope('kv-test');
    const states = recordEvents(t.core.bus, 'kv.watch.state');
    const started = [];
    for (let i = 0; i < MAX_WATCHES_PER_CLIENT; i++)
      started.push(
        await t.core.router.invoke('kv.watch.start', { bucket: 'live' }, { transport: 'ws', client }),
      );
    const over = t.core.router.invoke('kv.watch.start', { bucket: 'live' }, { transport: 'ws', client });
    expect(await codeOf(over)).toBe('conflict');
    client.close();
    for (const w of started)
      await states.waitFor((s) => s.watchId === w.watchId && s.state === 'stopped', { timeoutMs: 5000 });
    // The server's watcher consumers go with them.
    const jsm = await t.core.connections.require().jsm();
    await pollUntil(async () => (await jsm.streams.info('KV_live')).state.consumer_count, {
      what: 'the watch consumers to go',
      ok: (n) => n === 0,
      timeoutMs: 15_000,
    });
  });

  it('refuses a watch from a caller that is not a connected client (REST)', async () => {
    expect(
      await codeOf(t.core.router.invoke('kv.watch.start', { bucket: 'live' }, { transport: 'rest' })),
    ).toBe('unsupported');
  });
});
