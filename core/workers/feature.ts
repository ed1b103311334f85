import type { Core } from '../core';

/** Registers the workers feature's handlers and hooks. Filled by its issue. */
export function registerWorkers(core: Core): void {
  void core;
}
