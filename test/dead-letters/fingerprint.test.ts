import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../api/features/tasks';
import { fingerprintOf, normaliseError } from '../../core/tasks/dead-letters/fingerprint';
import { groupDeadLetters, MAX_GROUPS } from '../../core/tasks/dead-letters/groups';

describe('error fingerprints', () => {
  it('normalises ids, numbers, paths, uuids, times, urls, ips and hex', () => {
    expect(normaliseError('order 1234 not found in /data/in/a.csv')).toBe('order <n> not found in <path>');
    expect(normaliseError('user 3f2b1c9e-8d7a-4b6c-9e5f-1a2b3c4d5e6f is locked')).toBe(
      'user <uuid> is locked',
    );
    expect(normaliseError('task 01JDXQ4Z8M6T3V5W7Y9A1B2C3D expired at 2026-11-30T10:00:01.123Z')).toBe(
      'task <id> expired at <time>',
    );
    expect(normaliseError('GET https://api.example.com/v1/items?id=7 failed: 503')).toBe(
      'GET <url> failed: <n>',
    );
    expect(normaliseError('connect ECONNREFUSED 127.0.0.1:4222')).toBe('connect ECONNREFUSED <ip>');
    expect(normaliseError('blob deadbeef42 missing')).toBe('blob <hex> missing');
    expect(normaliseError('cannot open C:\\Users\\me\\x.txt')).toBe('cannot open <path>');
    expect(normaliseError('flaky: failing attempt 3 of 5')).toBe('flaky: failing attempt <n> of <n>');
    expect(normaliseError('took 1500ms, limit 1000.5')).toBe('took <n>ms, limit <n>');
  });

  it('keeps what names the error: words with digits, plain words, a lone slash', () => {
    expect(normaliseError('invalid utf8 in base64 field')).toBe('invalid utf8 in base64 field');
    expect(normaliseError('read/write conflict')).toBe('read/write conflict');
    expect(normaliseError('  timeout\n\n  ')).toBe('timeout');
    expect(normaliseError('')).toBe('(no error message)');
  });

  it('same shape, same fingerprint; a different message, another one', () => {
    const a = fingerprintOf(normaliseError('order 1 not found in /a/b.csv'));
    expect(fingerprintOf(normaliseError('order 98765 not found in /srv/x/y.csv'))).toBe(a);
    expect(fingerprintOf(normaliseError('order 1 is locked'))).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('grouping dead letters', () => {
  const letter = (
    id: string,
    type: string,
    err: string,
    at: string,
    reason: DeadLetter['reason'] = 'terminated',
  ) =>
    ({
      id,
      type,
      seq: 1,
      reason,
      attempts: 3,
      errors: [],
      last_error: err,
      failed_at: at,
      fingerprint: fingerprintOf(normaliseError(err)),
    }) satisfies DeadLetter;

  it('counts, first/last seen, types and reasons per group, the largest group first', () => {
    const r = groupDeadLetters([
      letter('c', 'resize', 'image 3 too big', '2026-11-30T10:00:03Z'),
      letter('b', 'thumb', 'image 2 too big', '2026-11-30T10:00:02Z', 'max_deliveries'),
      letter('x', 'mail', 'smtp down', '2026-11-30T10:00:02Z'),
      letter('a', 'resize', 'image 1 too big', '2026-11-30T10:00:01Z'),
    ]);
    expect(r.total).toBe(4);
    expect(r.truncated).toBe(false);
    expect(r.groups.map((g) => g.count)).toEqual([3, 1]);
    expect(r.groups[0]).toMatchObject({
      message: 'image <n> too big',
      example: 'image 3 too big',
      first_seen: '2026-11-30T10:00:01Z',
      last_seen: '2026-11-30T10:00:03Z',
      types: [
        { type: 'resize', count: 2 },
        { type: 'thumb', count: 1 },
      ],
      reasons: { terminated: 2, max_deliveries: 1 },
      ids: ['c', 'b', 'a'],
    });
  });

  it('lists at most MAX_GROUPS groups and says so', () => {
    const many = Array.from({ length: MAX_GROUPS + 5 }, (_, i) =>
      letter(
        `t${i}`,
        'x',
        `error kind ${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${'abcdefghij'[Math.floor(i / 26)]}`,
        '2026-11-30T10:00:00Z',
      ),
    );
    const r = groupDeadLetters(many);
    expect(r.groups).toHaveLength(MAX_GROUPS);
    expect(r.truncated).toBe(true);
    expect(r.total).toBe(MAX_GROUPS + 5);
  });
});
