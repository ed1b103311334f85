import type { Core } from '../core';

/** Registers the monitor feature's handlers and hooks. Filled by its issue. */
export function registerMonitor(core: Core): void {
  void core;
}
