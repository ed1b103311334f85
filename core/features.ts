import type { Core } from './core';
import type { HostFiles } from './files/host-files';
import type { FleetService } from './fleet/feature';
import type { JobLog } from './jobs/job-log';
import type { MonitorRuntime } from './monitor/runtime';
import type { TaskService } from './tasks/service';
import type { ViewsService } from './views/service';
import type { WorkersService } from './workers/feature';

/**
 * The feature services other code reaches by name: one typed record, built once by
 * `createCore`. A feature that needs another gets it as a constructor argument there, so the
 * dependencies are visible in one place and a missing one is a type error, not a throw.
 */
export interface Features {
  files: HostFiles;
  jobs: JobLog;
  monitor: MonitorRuntime;
  tasks: TaskService;
  workers: WorkersService;
  fleet: FleetService;
  views: ViewsService;
}

/** The core with every feature registered: what `createCore` returns. */
export interface AppCore extends Core {
  readonly features: Features;
}
