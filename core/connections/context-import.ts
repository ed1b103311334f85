import type { ImportResult } from '../../api/features/connections';
import type { Core } from '../core';

/** TODO(foundation helper): import ~/.config/nats/context/*.json and NATS_URL. */
export function importNatsContexts(core: Core, opts: { dir?: string; includeEnv?: boolean }): ImportResult {
  void core;
  void opts;
  return { imported: [], skipped: [] };
}
