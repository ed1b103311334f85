import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { BulkProgress, QueueStatus, StatusCounts } from '../../../api/features/tasks';

// The store subscribes to core events through `api.on`; a fake keeps the handlers so tests can fire them.
const handlers = vi.hoisted(() => new Map<string, (payload: unknown) => void>());
vi.mock('../../api', () => ({
  api: { on: (name: string, fn: (payload: unknown) => void) => handlers.set(name, fn) },
}));

const { useTasks } = await import('./store');

const emit = (name: string, payload: unknown) => {
  const fn = handlers.get(name);
  if (!fn) throw new Error(`no handler for ${name}`);
  fn(payload);
};
const queue = (at: string, backlog: number): QueueStatus => ({
  lanes: [],
  backlog,
  completionRatePerSec: backlog / 10,
  timeToDrainSec: null,
  at,
});
const progress = (jobId: string): BulkProgress =>
  ({
    jobId,
    total: 1,
    sent: 1,
    acked: 1,
    failed: 0,
    duplicates: 0,
    ratePerSec: 0,
    elapsedMs: 0,
    state: 'done',
  }) as BulkProgress;

describe('tasks store', () => {
  beforeEach(() => useTasks.setState({ version: 0, lastChanged: [], jobs: {}, backlog: [], ready: false }));

  it('pushQueue records a backlog point at the status time', () => {
    useTasks.getState().pushQueue(queue('2026-01-01T00:00:00Z', 30));
    const s = useTasks.getState();
    expect(s.queue?.backlog).toBe(30);
    expect(s.backlog).toEqual([{ at: Date.parse('2026-01-01T00:00:00Z'), backlog: 30, rate: 3 }]);
  });

  it('pushQueue keeps the newest 300 backlog points', () => {
    for (let i = 0; i < 302; i++) useTasks.getState().pushQueue(queue(new Date(i * 2000).toISOString(), i));
    const points = useTasks.getState().backlog;
    expect(points).toHaveLength(300);
    expect(points[0].backlog).toBe(2);
    expect(points[299].backlog).toBe(301);
  });

  it('a tasks.changed batch sets counts and ready and bumps the version', () => {
    const counts = { pending: 1 } as unknown as StatusCounts;
    emit('tasks.changed', { ids: ['a', 'b'], counts, ready: true, truncated: false });
    emit('tasks.changed', { ids: ['c'], counts, ready: true, truncated: false });
    const s = useTasks.getState();
    expect(s.version).toBe(2);
    expect(s.ready).toBe(true);
    expect(s.counts).toBe(counts);
    expect(s.lastChanged).toEqual(['c']);
  });

  it("a truncated tasks.changed batch marks 'all' as changed", () => {
    emit('tasks.changed', { ids: ['a'], counts: {}, ready: true, truncated: true });
    expect(useTasks.getState().lastChanged).toBe('all');
  });

  it('bulk progress keeps the 20 most recent jobs', () => {
    for (let i = 0; i < 22; i++) emit('tasks.bulkProgress', progress(`job${i}`));
    const ids = Object.keys(useTasks.getState().jobs);
    expect(ids).toHaveLength(20);
    expect(ids).not.toContain('job0');
    expect(ids).not.toContain('job1');
    expect(ids).toContain('job21');
  });
});
