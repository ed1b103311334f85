import type { Core } from '../core';

export interface PoolLaunchOptions {
  workers?: number;
  handlers?: string;
}

/** `jetdeck serve --workers N --handlers FILE`: starts the in-process pool at launch. Filled by the worker owner. */
export async function startPoolAtLaunch(core: Core, opts: PoolLaunchOptions): Promise<void> {
  void core;
  void opts;
}
