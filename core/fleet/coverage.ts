import type { FleetWorker } from '../../api/features/fleet';

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
