import type { jobsMethods } from '../../api/features/jobs';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { withApiErrors } from '../streams/api-errors';
import { JobLog } from './job-log';

const logs = new WeakMap<Core, JobLog>();

/** The core's job log (one per core), for features that run bulk jobs. */
export function jobLogFor(core: Core): JobLog {
  let log = logs.get(core);
  if (!log) logs.set(core, (log = new JobLog(core)));
  return log;
}

/** Recorded bulk jobs: list them, dismiss finished or interrupted ones. */
export function registerJobs(core: Core): void {
  const log = jobLogFor(core);
  const handlers: HandlersFor<typeof jobsMethods> = {
    'jobs.list': async (input) => ({ jobs: await log.list(input?.state) }),
    'jobs.dismiss': async ({ id }) => ({ dismissed: await log.dismiss(id) }),
  };
  core.router.register(withApiErrors(handlers));
}
