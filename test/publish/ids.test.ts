import { describe, expect, it } from 'vitest';
import { SortableIds } from '../../core/tasks/ids';

describe('sortable task ids', () => {
  it('are 26 Crockford base32 characters that sort by time, then by order within a millisecond', () => {
    const ids = new SortableIds();
    const t = Date.UTC(2026, 11, 1, 3, 0, 0);
    const made: string[] = [];
    for (const ms of [t, t, t, t + 1, t + 1, t + 250, t + 250, t + 250])
      for (let i = 0; i < 100; i++) made.push(ids.next(ms));
    for (const id of made) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Set(made).size).toBe(made.length);
    expect([...made].sort()).toEqual(made);
    // The first 10 characters are the milliseconds, as a ULID's.
    const decode = (s: string) =>
      [...s.slice(0, 10)].reduce((n, c) => n * 32 + '0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(c), 0);
    expect(decode(made[0])).toBe(t);
    expect(decode(made.at(-1)!)).toBe(t + 250);
  });

  it('carries into the next digit when the last one is at its top', () => {
    const ids = new SortableIds();
    const made = Array.from({ length: 2000 }, () => ids.next(1));
    expect([...made].sort()).toEqual(made);
    expect(new Set(made.map((s) => s.slice(10, 24))).size).toBeGreaterThan(1);
  });
});
