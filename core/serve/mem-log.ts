import { appendFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

/**
 * Diagnostic for the e2e bench: with JETDECK_MEM_LOG=<file>, serve appends one JSON line a second
 * with its memory (rss, heap, external, array buffers, and each V8 heap space's used/committed
 * size of the main thread) so an RSS peak can be told apart: new space, old space, buffers or
 * the pool threads (rss minus the main heap and external). Off unless the variable is set.
 */
export function startMemLog(file = process.env.JETDECK_MEM_LOG): void {
  if (!file) return;
  const mb = (b: number) => Math.round(b / 1048576);
  const t0 = Date.now();
  setInterval(() => {
    const m = process.memoryUsage();
    const spaces: Record<string, [number, number]> = {};
    for (const s of getHeapSpaceStatistics())
      spaces[s.space_name.replace(/_space$/, '')] = [mb(s.space_used_size), mb(s.space_size)];
    const line = {
      t: Math.round((Date.now() - t0) / 1000),
      rss: mb(m.rss),
      heapTotal: mb(m.heapTotal),
      heapUsed: mb(m.heapUsed),
      external: mb(m.external),
      arrayBuffers: mb(m.arrayBuffers),
      spaces,
    };
    appendFileSync(file, JSON.stringify(line) + '\n');
  }, 1000).unref();
}
