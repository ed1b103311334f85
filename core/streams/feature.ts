import type { Core } from '../core';

/** Registers the streams feature's handlers and hooks. Filled by its issue. */
export function registerStreams(core: Core): void {
  void core;
}
