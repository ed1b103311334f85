import { create } from 'zustand';
import type { PoolStatus } from '../../../api/features/workers';
import { api } from '../../api';

/** Pool history for the chart: one point per second, the last ~10 minutes. */
const HISTORY_MS = 10 * 60_000;
const MIN_POINT_GAP_MS = 1000;

export interface PoolPoint {
  at: number;
  throughput: number;
  /**
   * The slowest running worker's p95 (ms): what a task waits in the worst case that matters.
   * null while nothing runs: an old p95 would otherwise stay on the chart at throughput 0.
   */
  p95: number | null;
  inFlight: number;
}

interface WorkersState {
  pool?: PoolStatus;
  /** Local time the last status arrived (elapsed times tick from it, independent of the server's clock). */
  receivedAt: number;
  history: PoolPoint[];
  setPool: (p: PoolStatus) => void;
  /** Points from the monitor's persisted pool history, so the chart shows the window, not since the page opened. */
  seedHistory: (points: PoolPoint[]) => void;
}

function point(p: PoolStatus, at: number): PoolPoint {
  const running = p.workers.filter((w) => w.state === 'running' || w.state === 'draining');
  return {
    at,
    throughput: p.totals.throughput,
    p95:
      p.totals.throughput > 0 || p.totals.inFlight > 0
        ? running.reduce((m, w) => Math.max(m, w.p95), 0)
        : null,
    inFlight: p.totals.inFlight,
  };
}

/** Mirrors the core's worker pool; 'workers.stats' events keep it fresh (every 500 ms while running). */
export const useWorkers = create<WorkersState>()((set, get) => ({
  receivedAt: Date.now(),
  history: [],
  setPool: (pool) => {
    const now = Date.now();
    let history = get().history;
    const last = history[history.length - 1];
    if (pool.state !== 'stopped' && (!last || now - last.at >= MIN_POINT_GAP_MS)) {
      history = [...history.filter((h) => h.at >= now - HISTORY_MS), point(pool, now)];
    }
    set({ pool, receivedAt: now, history });
  },
  seedHistory: (points) => {
    const now = Date.now();
    const live = get().history;
    const firstLive = live[0]?.at ?? Infinity;
    const older = points.filter((p) => p.at >= now - HISTORY_MS && p.at < firstLive);
    set({ history: [...older, ...live] });
  },
}));

export const POOL_HISTORY_MS = HISTORY_MS;

api.on('workers.stats', (p) => useWorkers.getState().setPool(p));
