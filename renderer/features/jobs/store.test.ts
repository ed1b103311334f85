import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobRecord } from '../../../api/features/jobs';

const api = vi.hoisted(() => ({
  handlers: new Map<string, (payload: unknown) => void>(),
  calls: [] as [string, unknown][],
  replies: new Map<string, unknown>(),
}));
vi.mock('../../api', () => ({
  api: {
    on: (name: string, fn: (payload: unknown) => void) => api.handlers.set(name, fn),
    call: (name: string, input: unknown) => {
      api.calls.push([name, input]);
      return Promise.resolve(api.replies.get(name));
    },
  },
}));

const { useJobs } = await import('./store');

const job = (id: string): JobRecord => ({
  id,
  kind: 'bulk',
  state: 'interrupted',
  summary: id,
  total: 10,
  sent: 5,
  confirmed: 4,
  failed: 0,
  startedAt: 0,
  updatedAt: 0,
  host: 'h',
  pid: 1,
});

describe('jobs store', () => {
  beforeEach(() => {
    api.calls.length = 0;
    useJobs.setState({ interrupted: [] });
  });

  it('refresh asks the core for the interrupted jobs only and keeps its answer', async () => {
    api.replies.set('jobs.list', { jobs: [job('a'), job('b')] });
    await useJobs.getState().refresh();
    expect(api.calls).toEqual([['jobs.list', { state: 'interrupted' }]]);
    expect(useJobs.getState().interrupted.map((j) => j.id)).toEqual(['a', 'b']);
  });

  it('dismiss tells the core and drops that job alone', async () => {
    useJobs.setState({ interrupted: [job('a'), job('b')] });
    await useJobs.getState().dismiss('a');
    expect(api.calls).toEqual([['jobs.dismiss', { id: 'a' }]]);
    expect(useJobs.getState().interrupted.map((j) => j.id)).toEqual(['b']);
  });

  it("a 'jobs.interrupted' event replaces the list", () => {
    useJobs.setState({ interrupted: [job('old')] });
    api.handlers.get('jobs.interrupted')?.({ jobs: [job('new')] });
    expect(useJobs.getState().interrupted.map((j) => j.id)).toEqual(['new']);
  });
});
