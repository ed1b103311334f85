import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatDuration, secondsToMs } from './format';

describe('formatDuration (one for every screen)', () => {
  it.each([
    [undefined, '—'],
    [Number.NaN, '—'],
    [0, '0 ms'],
    [0.42, '0.42 ms'],
    [12.4, '12 ms'],
    [1234, '1.23 s'],
    [12_345, '12.3 s'],
    [250_000, '4m 10s'],
    [5 * 3_600_000 + 12 * 60_000, '5h 12m'],
    [3 * 86_400_000 + 4 * 3_600_000, '3d 4h'],
  ])('%s ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('takes server seconds through secondsToMs', () => {
    expect(formatDuration(secondsToMs(90))).toBe('1m 30s');
    expect(formatDuration(secondsToMs(undefined))).toBe('—');
  });
});

describe('formatAgo', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  it('reads epoch ms and ISO times alike', () => {
    expect(formatAgo(now - 12_000, now)).toBe('12 s ago');
    expect(formatAgo(new Date(now - 250_000).toISOString(), now)).toBe('4m 10s ago');
  });
  it('says — for missing or unparsable times, and never goes negative', () => {
    expect(formatAgo(undefined, now)).toBe('—');
    expect(formatAgo('not a date', now)).toBe('—');
    expect(formatAgo('0001-01-01T00:00:00Z', now)).toBe('—');
    expect(formatAgo(now + 5000, now)).toBe('0 s ago');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MiB');
  });
});
