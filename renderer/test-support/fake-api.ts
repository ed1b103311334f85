import { vi } from 'vitest';

/**
 * A stand-in for `renderer/api` in store tests, recording the events a store subscribes to and the
 * methods it calls. Use: `vi.mock('<path>/api', () => import('<path>/test-support/fake-api'))`,
 * then import `fake` and `emit` from here (the same module instance the store sees).
 */
export const fake = {
  handlers: new Map<string, (payload: unknown) => void>(),
  call: vi.fn(),
};

export const api = {
  on: (name: string, fn: (payload: unknown) => void) => fake.handlers.set(name, fn),
  call: fake.call,
};

/** Delivers an event as core would; a store that never subscribed to it fails the test. */
export function emit(name: string, payload: unknown): void {
  const fn = fake.handlers.get(name);
  if (!fn) throw new Error(`no handler for ${name}`);
  fn(payload);
}
