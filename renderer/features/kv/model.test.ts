import { describe, expect, it } from 'vitest';
import type { KvEntryView } from '../../../api/features/kv';
import { addLive, convertDraft, editText, formatTtl, LIVE_MAX, mergeChanges, ttlToMs } from './model';

const e = (key: string, revision: number, operation: KvEntryView['operation'] = 'PUT'): KvEntryView => ({
  key,
  revision,
  created: new Date(revision * 1000).toISOString(),
  operation,
  length: 1,
});

describe('mergeChanges', () => {
  it('replaces an older entry, keeps a newer one, adds new keys in key order', () => {
    const keys = [e('a', 1), e('c', 5)];
    const out = mergeChanges(keys, [e('c', 4), e('a', 7, 'DEL'), e('b', 8)]);
    expect(out.map((k) => [k.key, k.revision, k.operation])).toEqual([
      ['a', 7, 'DEL'],
      ['b', 8, 'PUT'],
      ['c', 5, 'PUT'],
    ]);
  });
  it('drops the values a watch batch carries', () => {
    const out = mergeChanges([], [{ ...e('k', 2), base64: 'eA==', contentType: 'text' }]);
    expect(out[0].base64).toBeUndefined();
  });
});

describe('addLive', () => {
  it('puts the newest change first and keeps at most LIVE_MAX', () => {
    const many = Array.from({ length: LIVE_MAX + 5 }, (_, i) => e(`k${i}`, i + 1));
    const out = addLive([e('old', 0)], many);
    expect(out).toHaveLength(LIVE_MAX);
    expect(out[0].key).toBe(`k${LIVE_MAX + 4}`);
  });
});

describe('value formats', () => {
  const b64 = (s: string) => btoa(s);
  it('pretty-prints JSON, shows text as is, and hex as 16 bytes a line', () => {
    expect(editText(b64('{"a":1}'), 'json')).toBe('{\n  "a": 1\n}');
    expect(editText(b64('{"a":'), 'json')).toBe('{"a":');
    expect(editText(b64('hi'), 'hex')).toBe('68 69');
    expect(editText(b64('x'.repeat(17)), 'hex').split('\n')).toHaveLength(2);
  });
  it('converts a draft between formats through its bytes, and refuses a draft that does not parse', () => {
    expect(convertDraft('hi', 'text', 'hex')).toEqual({ text: '68 69' });
    expect(convertDraft('68 69', 'hex', 'base64')).toEqual({ text: 'aGk=' });
    expect(convertDraft('6', 'hex', 'text')).toEqual({ error: 'hex needs two digits per byte' });
  });
});

describe('TTL', () => {
  it('reads empty or 0 as forever and refuses non-integers', () => {
    expect(ttlToMs('', 'hours')).toBe(0);
    expect(ttlToMs('0', 'days')).toBe(0);
    expect(ttlToMs('5', 'minutes')).toBe(300_000);
    expect(ttlToMs('1.5', 'hours')).toBeNaN();
    expect(formatTtl(0)).toBe('forever');
    expect(formatTtl(7_200_000)).toBe('2 h');
    expect(formatTtl(90_000)).toBe('90 s');
  });
});
