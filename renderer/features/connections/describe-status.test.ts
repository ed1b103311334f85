import { describe, expect, it } from 'vitest';
import { describeStatus, nameAndServer } from './describe-status';

describe('nameAndServer', () => {
  it('says a name and its server once when they read the same', () => {
    expect(nameAndServer('127.0.0.1:4222', '127.0.0.1:4222')).toBe('127.0.0.1:4222');
    expect(nameAndServer('nats://127.0.0.1:4222', '127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });

  it('keeps both when they differ, and whichever is known alone', () => {
    expect(nameAndServer('Local (embedded)', '127.0.0.1:4222')).toBe('Local (embedded) · 127.0.0.1:4222');
    expect(nameAndServer(undefined, '127.0.0.1:4222')).toBe('127.0.0.1:4222');
    expect(nameAndServer('prod', undefined)).toBe('prod');
  });

  it('is what the status bar says when connected', () => {
    const s = describeStatus({ state: 'connected', profileName: 'h:1', server: 'h:1', rttMs: 2, since: 0 });
    expect(s).toEqual({ tone: 'ok', text: 'connected · h:1 · RTT 2.0 ms' });
  });
});
