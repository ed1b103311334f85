import { useEffect, useState } from 'react';
import { api } from '../../api';
import type { JobProgress } from '../../../api/features/messages';

/** Follows one replay/import job through 'replay.progress' events (batched by the core). */
export function useJob(): [JobProgress | undefined, (p: JobProgress | undefined) => void] {
  const [job, setJob] = useState<JobProgress>();
  const jobId = job?.jobId;
  useEffect(() => {
    if (!jobId) return;
    const off = api.on('replay.progress', (p) => {
      if (p.jobId === jobId) setJob((cur) => (cur?.done && !p.done ? cur : p));
    });
    // The job may have finished before we subscribed.
    void api
      .call('replay.status', { jobId })
      .then((p) => setJob((cur) => (cur && cur.done ? cur : p)))
      .catch(() => {});
    return off;
  }, [jobId]);
  return [job, setJob];
}
