import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PoolStatus, WorkerCard } from '../../../api/features/workers';

const handlers = vi.hoisted(() => new Map<string, (payload: unknown) => void>());
vi.mock('../../api', () => ({
  api: { on: (name: string, fn: (payload: unknown) => void) => handlers.set(name, fn) },
}));

const { POOL_HISTORY_MS, useWorkers } = await import('./store');

const worker = (state: string, p95: number) => ({ state, p95 }) as unknown as WorkerCard;
const pool = (p: Partial<PoolStatus>): PoolStatus =>
  ({
    state: 'running',
    threads: 1,
    concurrency: 1,
    workers: [],
    totals: { processed: 0, failed: 0, retried: 0, inFlight: 0, throughput: 0 },
    warnings: [],
    ...p,
  }) as PoolStatus;
const T0 = 1_700_000_000_000;

describe('workers store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    useWorkers.setState({ history: [], pool: undefined });
  });
  afterEach(() => vi.useRealTimers());

  it("p95 is the slowest running or draining worker's p95", () => {
    useWorkers.getState().setPool(
      pool({
        workers: [worker('running', 40), worker('draining', 90), worker('failed', 500)],
        totals: { processed: 0, failed: 0, retried: 0, inFlight: 2, throughput: 5 },
      }),
    );
    expect(useWorkers.getState().history).toEqual([{ at: T0, throughput: 5, p95: 90, inFlight: 2 }]);
  });

  it('p95 is null while nothing runs', () => {
    useWorkers.getState().setPool(pool({ workers: [worker('running', 40)] }));
    expect(useWorkers.getState().history[0].p95).toBeNull();
  });

  it('adds at most one point per second and none while stopped', () => {
    const { setPool } = useWorkers.getState();
    setPool(pool({}));
    vi.setSystemTime(T0 + 500);
    setPool(pool({}));
    vi.setSystemTime(T0 + 1000);
    setPool(pool({}));
    vi.setSystemTime(T0 + 2000);
    setPool(pool({ state: 'stopped' }));
    const s = useWorkers.getState();
    expect(s.history.map((h) => h.at)).toEqual([T0, T0 + 1000]);
    expect(s.pool?.state).toBe('stopped');
    expect(s.receivedAt).toBe(T0 + 2000);
  });

  it('drops points older than the history window', () => {
    const old = { at: T0 - POOL_HISTORY_MS - 1, throughput: 1, p95: null, inFlight: 0 };
    const kept = { at: T0 - POOL_HISTORY_MS, throughput: 2, p95: null, inFlight: 0 };
    useWorkers.setState({ history: [old, kept] });
    useWorkers.getState().setPool(pool({}));
    expect(useWorkers.getState().history.map((h) => h.throughput)).toEqual([2, 0]);
  });

  it('seedHistory puts in-window points older than the live ones first', () => {
    const live = { at: T0 - 5000, throughput: 9, p95: null, inFlight: 0 };
    useWorkers.setState({ history: [live] });
    useWorkers.getState().seedHistory([
      { at: T0 - POOL_HISTORY_MS - 1, throughput: 1, p95: null, inFlight: 0 },
      { at: T0 - 60_000, throughput: 2, p95: null, inFlight: 0 },
      { at: T0 - 5000, throughput: 3, p95: null, inFlight: 0 },
    ]);
    expect(useWorkers.getState().history.map((h) => h.throughput)).toEqual([2, 9]);
  });

  it('a workers.stats event sets the pool', () => {
    const p = pool({ threads: 3 });
    handlers.get('workers.stats')?.(p);
    expect(useWorkers.getState().pool).toBe(p);
  });
});
