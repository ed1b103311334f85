import { create } from 'zustand';
import type { JobRecord } from '../../../api/features/jobs';
import { api } from '../../api';

/** Bulk jobs (publish, replay, import) the core found interrupted, mirrored from the core. */
interface JobsState {
  interrupted: JobRecord[];
  /** Re-reads the list from the core (on connect, on the screens that show it). */
  refresh: () => Promise<void>;
  dismiss: (id: string) => Promise<void>;
}

export const useJobs = create<JobsState>()((set, get) => ({
  interrupted: [],
  refresh: async () => {
    const r = await api.call('jobs.list', { state: 'interrupted' });
    set({ interrupted: r.jobs });
  },
  dismiss: async (id) => {
    await api.call('jobs.dismiss', { id });
    set({ interrupted: get().interrupted.filter((j) => j.id !== id) });
  },
}));

api.on('jobs.interrupted', (p) => useJobs.setState({ interrupted: p.jobs }));
