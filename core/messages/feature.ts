import type { Core } from '../core';

/** Registers the messages feature's handlers and hooks. Filled by its issue. */
export function registerMessages(core: Core): void {
  void core;
}
