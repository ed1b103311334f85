import { create } from 'zustand';
import type {
  BulkProgress,
  IndexState,
  QueueStatus,
  StatusCounts,
  TopologyReport,
} from '../../../api/features/tasks';
import type { TaskStatus } from '../../../api/task-wire';
import { api } from '../../api';

/** Queue backlog history for the chart: ~10 min at one point per 2 s poll. */
const MAX_BACKLOG_POINTS = 300;
const MAX_JOBS = 20;

export interface BacklogPoint {
  at: number;
  backlog: number;
  rate: number;
}

export interface TaskFilter {
  status?: TaskStatus;
  type?: string;
  q?: string;
}

interface TasksState {
  counts?: StatusCounts;
  /** False until the core has loaded the newest tasks. */
  ready: boolean;
  /** How far the task state is behind the stream (lag, stale). */
  index?: IndexState;
  /** Bumped on every 'tasks.changed' batch; views refetch (debounced) when it moves. */
  version: number;
  /** Ids of the last batch (or 'all' when the batch was truncated). */
  lastChanged: string[] | 'all';
  topology?: TopologyReport;
  jobs: Record<string, BulkProgress>;
  queue?: QueueStatus;
  backlog: BacklogPoint[];
  filter: TaskFilter;
  tab: 'tasks' | 'dead' | 'scheduled';
  selectedId?: string;
  set: (
    patch: Partial<
      Pick<TasksState, 'filter' | 'tab' | 'selectedId' | 'topology' | 'counts' | 'ready' | 'index'>
    >,
  ) => void;
  pushQueue: (q: QueueStatus) => void;
}

/** Mirrors the core's task state (counts, topology, bulk jobs, queue status) and the view's filter. */
export const useTasks = create<TasksState>()((set, get) => ({
  ready: false,
  version: 0,
  lastChanged: [],
  jobs: {},
  backlog: [],
  filter: {},
  tab: 'tasks',
  set: (patch) => set(patch),
  pushQueue: (queue) => {
    const point = {
      at: Date.parse(queue.at) || Date.now(),
      backlog: queue.backlog,
      rate: queue.completionRatePerSec,
    };
    set({ queue, backlog: [...get().backlog, point].slice(-MAX_BACKLOG_POINTS) });
  },
}));

api.on('tasks.changed', (p) => {
  const s = useTasks.getState();
  useTasks.setState({
    counts: p.counts,
    ready: p.ready,
    index: p.index,
    version: s.version + 1,
    lastChanged: p.truncated ? 'all' : p.ids,
  });
});
api.on('tasks.topology', (topology) => useTasks.setState({ topology }));
api.on('tasks.bulkProgress', (p) => {
  const jobs = { ...useTasks.getState().jobs, [p.jobId]: p };
  const ids = Object.keys(jobs);
  for (const id of ids.slice(0, Math.max(0, ids.length - MAX_JOBS))) delete jobs[id];
  useTasks.setState({ jobs });
});
