import { describe, expect, it } from 'vitest';
import { DEFAULT_SCREEN, SCREEN_IDS, hashFor, isScreenId, parseHash } from './navigation';

describe('navigation', () => {
  it('round-trips a screen and its parameters through the hash', () => {
    const hash = hashFor('messages', { stream: 'ORDERS & co' });
    expect(hash).toBe('#/messages?stream=ORDERS+%26+co');
    expect(parseHash(hash)).toEqual({ screen: 'messages', params: { stream: 'ORDERS & co' } });
  });

  it('leaves undefined parameters out of the link', () => {
    expect(hashFor('messages', { stream: undefined })).toBe('#/messages');
    expect(hashFor('tasks')).toBe('#/tasks');
  });

  it('falls back to the default screen, without parameters, for an unknown or empty hash', () => {
    expect(parseHash('#/nope?stream=X')).toEqual({ screen: DEFAULT_SCREEN, params: {} });
    expect(parseHash('')).toEqual({ screen: DEFAULT_SCREEN, params: {} });
    expect(parseHash('#workers')).toEqual({ screen: 'workers', params: {} });
  });

  it('knows exactly the screen ids, in sidebar order', () => {
    expect(SCREEN_IDS[0]).toBe(DEFAULT_SCREEN);
    expect(new Set(SCREEN_IDS).size).toBe(SCREEN_IDS.length);
    expect(isScreenId('monitor')).toBe(true);
    expect(isScreenId('toString')).toBe(false);
  });
});
