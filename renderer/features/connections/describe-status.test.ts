import { describe, expect, it } from 'vitest';
import { describeStatus, nameAndServer } from './describe-status';

describe('nameAndServer', () => {
  it('says a name and its server once when they read the same', () => {
    expect(nameAndServer('nats.example:7422', 'nats.example:7422')).toBe('nats.example:7422');
    expect(nameAndServer('nats://nats.example:7422', 'nats.example:7422')).toBe('nats://nats.example:7422');
  });

  it('keeps both when they differ, and whichever is known alone', () => {
    expect(nameAndServer('Local (embedded)', 'nats.example:7422')).toBe(
      'Local (embedded) · nats.example:7422',
    );
    expect(nameAndServer(undefined, 'nats.example:7422')).toBe('nats.example:7422');
    expect(nameAndServer('prod', undefined)).toBe('prod');
  });

  it('is what the status bar says when connected', () => {
    const s = describeStatus({ state: 'connected', profileName: 'h:1', server: 'h:1', rttMs: 2, since: 0 });
    expect(s).toEqual({ tone: 'ok', text: 'connected · h:1 · RTT 2.0 ms' });
  });
});
