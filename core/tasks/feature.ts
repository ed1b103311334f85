import type { Core } from '../core';

/** Registers the tasks feature's handlers and hooks. Filled by its issue. */
export function registerTasks(core: Core): void {
  void core;
}
