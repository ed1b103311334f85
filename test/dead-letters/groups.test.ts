import { describe, expect, it } from 'vitest';
import type { DeadLetterGroup } from '../../api/features/dead-letters';
import { startServe, type ServeHandle } from '../../core/serve/server';
import type { TestCore } from '../harness/core';
import type { TestServer } from '../harness/nats-server';
import { until } from '../tasks/helpers';
import { codeOf, rest as restCall, sharedCore, startWorker } from '../harness/fixtures';

/**
 * Dead letters grouped by error fingerprint, and the group actions (retry, discard, edit with a
 * JSON patch + dry run), against a real server with the real worker runtime failing the tasks.
 * Each test publishes its own tasks under its own type, so tests stand alone.
 */
describe('dead-letter groups', () => {
  let server: TestServer;
  let t: TestCore;
  let serve: ServeHandle;

  const rest = (method: string, path: string, body?: unknown) => restCall(serve, method, path, body);

  /** Publishes tasks of `type` that fail with each message, and waits for them all as dead letters. */
  const failWith = async (type: string, messages: string[]): Promise<string[]> => {
    // `fail` fails with payload.message; a typed lane per test type keeps tests apart.
    const ids: string[] = [];
    for (const message of messages)
      ids.push((await t.call('tasks.publish', { type: 'fail', payload: { message, tag: type } })).task.id);
    await until(async () => {
      const dead = (await t.call('tasks.deadLetters.list', { type: 'fail' })).deadLetters.map((d) => d.id);
      return ids.every((id) => dead.includes(id));
    }, `${messages.length} dead letters of ${type}`);
    return ids;
  };
  const groupOf = async (id: string): Promise<DeadLetterGroup> =>
    until(
      async () => (await t.call('tasks.deadLetters.groups')).groups.find((g) => g.ids.includes(id)),
      `the group of ${id}`,
    );

  sharedCore(async (env) => {
    ({ server, t } = env);
    serve = await startServe(t.core, { port: 0, token: 'dlq-test-token-0123456789-abcdefghijkLMN' });
    const worker = await startWorker(server.url, { name: 'w-dlq', concurrency: 8, backoffMs: [20, 20] });
    return async () => {
      await worker.stop();
      await serve.close();
    };
  });

  it('groups by the normalised error: count, first/last seen, types; the list filters by fingerprint', async () => {
    const ids = await failWith('grp', [
      'order 17 not found in /data/in/17.csv',
      'order 2048 not found in /srv/x/2048.csv',
      'order 3 not found in /tmp/3.csv',
    ]);
    const [other] = await failWith('grp', ['smtp relay refused the message']);
    const g = await groupOf(ids[0]!);
    expect(g.message).toBe('order <n> not found in <path>');
    expect(g.count).toBe(3);
    expect(g.ids.sort()).toEqual([...ids].sort());
    expect(g.types).toEqual([{ type: 'fail', count: 3 }]);
    expect(g.reasons).toEqual({ terminated: 3 });
    expect(g.first_seen <= g.last_seen).toBe(true);
    const og = await groupOf(other!);
    expect(og.fingerprint).not.toBe(g.fingerprint);
    expect(og.count).toBe(1);

    const members = (await t.call('tasks.deadLetters.list', { fingerprint: g.fingerprint })).deadLetters;
    expect(members.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(members.every((d) => d.fingerprint === g.fingerprint)).toBe(true);
    // REST answers the same.
    const r = await rest('GET', `/api/dead-letters?fingerprint=${g.fingerprint}`);
    expect(r.status).toBe(200);
    expect((r.body.dead_letters as { id: string }[]).map((d) => d.id).sort()).toEqual([...ids].sort());
    const rg = await rest('GET', '/api/dead-letters/groups?type=fail');
    expect((rg.body.groups as DeadLetterGroup[]).find((x) => x.fingerprint === g.fingerprint)?.count).toBe(3);
  });

  it('retry group re-publishes every member as a linked task; discard group hides them', async () => {
    const ids = await failWith('rd', ['quota 1 of tenant 11 exceeded', 'quota 2 of tenant 12 exceeded']);
    const g = await groupOf(ids[0]!);
    expect(g.count).toBe(2);
    const r = await t.call('tasks.deadLetters.retryGroup', { fingerprint: g.fingerprint });
    expect(r.failed).toEqual([]);
    expect(r.retried.map((x) => x.task.metadata?.retry_of).sort()).toEqual([...ids].sort());
    // The originals are resolved: no longer listed in the group (the retries fail again, with
    // the same messages, and form the group anew under new ids).
    const open = (await t.call('tasks.deadLetters.list', { fingerprint: g.fingerprint })).deadLetters;
    for (const id of ids) expect(open.map((d) => d.id)).not.toContain(id);

    const newIds = r.retried.map((x) => x.task.id);
    await until(async () => {
      const l = (await t.call('tasks.deadLetters.list', { fingerprint: g.fingerprint })).deadLetters;
      return newIds.every((id) => l.some((d) => d.id === id));
    }, 'the retries fail into the same group');
    const d = await rest('POST', `/api/dead-letters/groups/${g.fingerprint}/discard`, {});
    expect(d.status).toBe(200);
    expect((d.body.discarded as string[]).sort()).toEqual([...newIds].sort());
    expect((await t.call('tasks.deadLetters.list', { fingerprint: g.fingerprint })).deadLetters).toEqual([]);
    const all = (
      await t.call('tasks.deadLetters.list', { fingerprint: g.fingerprint, includeResolved: true })
    ).deadLetters;
    expect(
      all
        .filter((x) => x.discarded)
        .map((x) => x.id)
        .sort(),
    ).toEqual([...newIds].sort());
    for (const id of newIds) expect((await t.call('tasks.get', { id })).status).toBe('failed');
  });

  it('edit and retry: a dry run shows before/after and skips what the patch does not fit; the patched tasks complete', async () => {
    // `flaky` with failTimes 5 fails all 3 attempts; the patch sets failTimes to 0.
    const ids: string[] = [];
    for (const n of [1, 2, 3])
      ids.push(
        (
          await t.call('tasks.publish', {
            type: 'flaky',
            payload: { failTimes: 5, n, keep: n === 3 ? 'no' : 'yes' },
            metadata: { batch: 'edit' },
          })
        ).task.id,
      );
    await until(async () => {
      const dead = (await t.call('tasks.deadLetters.list', { type: 'flaky' })).deadLetters.map((d) => d.id);
      return ids.every((id) => dead.includes(id));
    }, 'three flaky dead letters');
    const g = await groupOf(ids[0]!);
    expect(g.message).toBe('flaky: failing attempt <n> of <n>');
    expect(g.count).toBe(3);

    const patch = [
      { op: 'test' as const, path: '/keep', value: 'yes' },
      { op: 'replace' as const, path: '/failTimes', value: 0 },
      { op: 'add' as const, path: '/fixed', value: true },
    ];
    const dry = await t.call('tasks.deadLetters.dryRunEdit', {
      fingerprint: g.fingerprint,
      patch,
      sample: 3,
    });
    expect(dry.total).toBe(3);
    expect(dry.applicable).toBe(2);
    expect(dry.skipped).toEqual([
      { id: ids[2], error: 'the patch does not apply: operation 1 (test /keep): the value differs' },
    ]);
    expect(dry.samples).toHaveLength(3);
    const s1 = dry.samples.find((s) => s.id === ids[0])!;
    expect(s1.before).toEqual({ failTimes: 5, n: 1, keep: 'yes' });
    expect(s1.after).toEqual({ failTimes: 0, n: 1, keep: 'yes', fixed: true });
    // A dry run publishes nothing: the group is unchanged.
    expect((await t.call('tasks.deadLetters.list', { fingerprint: g.fingerprint })).deadLetters).toHaveLength(
      3,
    );

    // The contract wants confirm: true; REST takes the same body.
    expect(
      await codeOf(
        t.call('tasks.deadLetters.editRetry', { fingerprint: g.fingerprint, patch } as unknown as {
          fingerprint: string;
          patch: typeof patch;
          confirm: true;
        }),
      ),
    ).toBe('invalid_input');
    const res = await rest('POST', `/api/dead-letters/groups/${g.fingerprint}/edit-retry`, {
      patch,
      confirm: true,
    });
    expect(res.status).toBe(200);
    const r = res.body as unknown as {
      retried: { task: { id: string; payload: unknown; metadata: Record<string, unknown> } }[];
      skipped: { id: string }[];
      failed: unknown[];
    };
    expect(r.failed).toEqual([]);
    expect(r.skipped.map((x) => x.id)).toEqual([ids[2]]);
    expect(r.retried).toHaveLength(2);
    for (const x of r.retried) {
      expect(x.task.metadata).toMatchObject({ batch: 'edit', retry_patch: patch });
      expect([ids[0], ids[1]]).toContain(x.task.metadata.retry_of);
      expect(x.task.payload).toMatchObject({ failTimes: 0, fixed: true });
    }
    for (const x of r.retried)
      await until(
        async () => (await t.call('tasks.get', { id: x.task.id })).status === 'completed',
        'patched task completes',
      );
    // The originals link forward; the skipped one is still an open dead letter of the group.
    const orig = await t.call('tasks.get', { id: ids[0]! });
    expect(orig.retried_as?.length).toBe(1);
    const left = (await t.call('tasks.deadLetters.list', { fingerprint: g.fingerprint })).deadLetters.map(
      (d) => d.id,
    );
    expect(left).toEqual([ids[2]]);
  });

  it('refuses bad patches and unknown fingerprints with clear errors', async () => {
    expect(
      await codeOf(
        t.call('tasks.deadLetters.dryRunEdit', { fingerprint: 'xyz', patch: [{ op: 'remove', path: '/a' }] }),
      ),
    ).toBe('invalid_input');
    expect(
      await codeOf(
        t.call('tasks.deadLetters.dryRunEdit', {
          fingerprint: '0123456789ab',
          patch: [{ op: 'remove', path: 'a' }],
        }),
      ),
    ).toBe('invalid_input');
    const empty = await t.call('tasks.deadLetters.dryRunEdit', {
      fingerprint: '0123456789ab',
      patch: [{ op: 'remove', path: '/a' }],
    });
    expect(empty).toEqual({ total: 0, applicable: 0, skipped: [], samples: [] });
    const bad = await rest('POST', '/api/dead-letters/groups/0123456789ab/dry-run', {
      patch: [{ op: 'nope' }],
    });
    expect(bad.status).toBe(400);
  });
});
