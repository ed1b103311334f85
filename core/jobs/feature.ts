import type { jobsMethods } from '../../api/features/jobs';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { withApiErrors } from '../streams/api-errors';
import type { JobLog } from './job-log';

/** Recorded bulk jobs: list them, dismiss finished or interrupted ones. */
export function registerJobs(core: Core, log: JobLog): void {
  const handlers: HandlersFor<typeof jobsMethods> = {
    'jobs.list': async (input) => ({ jobs: await log.list(input?.state) }),
    'jobs.dismiss': async ({ id }) => ({ dismissed: await log.dismiss(id) }),
  };
  core.router.register(withApiErrors(handlers));
}
