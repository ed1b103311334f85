import type { FleetWorker } from '../../api/features/fleet';
import type { Core } from '../core';

/** Which lanes answering workers serve: the general lanes, and typed lanes by type. */
export interface LaneCoverage {
  /** Answering workers consuming tasks.new / tasks.high. */
  general: number;
  /** Answering workers per task type they consume. */
  types: Map<string, number>;
}

export function coverageOf(workers: FleetWorker[]): LaneCoverage {
  const c: LaneCoverage = { general: 0, types: new Map() };
  for (const w of workers) {
    // A paused or drained worker takes nothing: it does not serve its lanes.
    if (!w.answering || (w.status && w.status.state !== 'running' && w.status.state !== 'starting')) continue;
    if (w.types?.length) for (const t of w.types) c.types.set(t, (c.types.get(t) ?? 0) + 1);
    else c.general++;
  }
  return c;
}

const sources = new WeakMap<Core, () => Promise<LaneCoverage>>();

/** The fleet feature provides it; queue status reads it without depending on that feature. */
export function setCoverageSource(core: Core, fn: () => Promise<LaneCoverage>): void {
  sources.set(core, fn);
}

/** Undefined when unknown (no fleet feature, or the sweep failed). */
export async function laneCoverage(core: Core): Promise<LaneCoverage | undefined> {
  try {
    return await sources.get(core)?.();
  } catch {
    return undefined;
  }
}
