import { registerConnections, LOCAL_PROFILE_ID, resolveForConnect } from './connections/feature';
import type { NatsTarget } from '../nats/cli-target';
import { ApiError } from '../api/errors';
import { serverLabel, splitUrlCredentials } from '../api/nats-url';
import { Core, type CoreOptions } from './core';
import { registerCoreNats } from './corenats/feature';
import type { AppCore } from './features';
import { registerJobs } from './jobs/feature';
import { JobLog } from './jobs/job-log';
import { registerFiles } from './files/feature';
import { HostFiles } from './files/host-files';
import { registerMessages } from './messages/feature';
import { registerMonitor } from './monitor/feature';
import { registerReplay } from './replay/feature';
import { registerKv } from './kv/feature';
import { registerViews } from './views/service';
import { registerSearch } from './search/feature';
import { registerStreams } from './streams/feature';
import { registerTasks } from './tasks/feature';
import { registerWorkers, WorkersService } from './workers/feature';
import { FleetService, registerFleet } from './fleet/feature';

export interface StartOptions {
  /** `--nats URL`: connect there instead of the saved or embedded default. */
  natsUrl?: string;
  credsFile?: string;
  /** Resolved from the nats CLI's flags, environment and context (`jetdeck serve -s/--context...`). */
  target?: NatsTarget;
  /** Skip auto-connect (tests that drive connections themselves). */
  noAutoConnect?: boolean;
}

export const CLI_PROFILE_ID = 'cli';

/** Builds the core with every feature registered. Used by Electron, `jetdeck serve` and tests alike. */
export function createCore(opts: CoreOptions): AppCore {
  const core = new Core(opts);
  // Services that others use are built first, each given what it needs. Registration order
  // below is hook order (connect) and, reversed, dispose order: keep it.
  const files = new HostFiles(core.dataDir);
  const jobs = new JobLog(core);
  const workers = new WorkersService(core, files);
  const fleet = new FleetService(core, workers);
  registerConnections(core);
  const tasks = registerTasks(core, { jobs, coverage: () => fleet.coverage() });
  registerWorkers(core, workers);
  registerFleet(core, fleet);
  registerStreams(core);
  registerMessages(core);
  registerReplay(core, { files, jobs });
  registerSearch(core);
  const monitor = registerMonitor(core);
  registerJobs(core, jobs);
  registerFiles(core, files);
  registerKv(core);
  registerCoreNats(core);
  const views = registerViews(core);
  return Object.assign(core, { features: { files, jobs, monitor, tasks, workers, fleet, views } });
}

/**
 * Connects on launch: `--nats` if given, else the profile active last time, else the embedded
 * local server. A failure is reported through the connection status, never thrown: the app
 * must open so the user can fix the connection.
 */
export async function autoConnect(core: Core, opts: StartOptions = {}): Promise<void> {
  if (opts.noAutoConnect) return;
  let id: string;
  if (opts.target) {
    saveTargetProfile(core, opts.target);
    id = CLI_PROFILE_ID;
  } else if (opts.natsUrl) {
    try {
      saveCliProfile(core, opts.natsUrl, opts.credsFile);
    } catch (err) {
      console.error(`[jetdeck] --nats: ${(err as Error).message}`);
      return;
    }
    id = CLI_PROFILE_ID;
  } else {
    const saved = core.profiles.activeId;
    id = saved && core.profiles.list().some((p) => p.id === saved) ? saved : LOCAL_PROFILE_ID;
  }
  try {
    const profile = await resolveForConnect(core, id);
    core.profiles.setActive(id);
    await core.connections.connect(profile);
  } catch (err) {
    console.error(`[jetdeck] could not connect on start: ${(err as Error).message}`);
  }
}

/**
 * The profile behind `--nats`: named after the server (host:port), never the raw flag, and
 * any `user:pass@` or `token@` in the URLs goes to the secret store (ProfileStore splits it).
 */
function saveCliProfile(core: Core, natsUrl: string, credsFile?: string): void {
  const urls = natsUrl
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const { servers, auth: urlAuth } = splitUrlCredentials(urls);
  if (urlAuth && credsFile)
    throw new ApiError('invalid_input', 'give credentials in the URL or --creds, not both');
  const label = serverLabel(servers[0] ?? natsUrl) + (servers.length > 1 ? ` +${servers.length - 1}` : '');
  const taken = (n: string) => core.profiles.list().some((p) => p.id !== CLI_PROFILE_ID && p.name === n);
  let name = label;
  for (let i = 2; taken(name); i++) name = `${label} (--nats${i > 2 ? ` ${i - 1}` : ''})`;
  core.profiles.save(
    {
      id: CLI_PROFILE_ID,
      name,
      servers: urls,
      auth: credsFile ? { kind: 'creds', credsFile } : { kind: 'none' },
    },
    'env',
  );
}

/**
 * The profile behind serve's connection flags: everything the nats CLI conventions resolved
 * (auth, TLS, domain, inbox prefix, timeout, monitoring URLs, system account), secrets in the
 * secret store as for any profile. Named after the context or the first server.
 */
function saveTargetProfile(core: Core, t: NatsTarget): void {
  const label = t.contextName
    ? `context ${t.contextName}`
    : serverLabel(t.servers[0]) + (t.servers.length > 1 ? ` +${t.servers.length - 1}` : '');
  const taken = (n: string) => core.profiles.list().some((p) => p.id !== CLI_PROFILE_ID && p.name === n);
  let name = label;
  for (let i = 2; taken(name); i++) name = `${label} (${i})`;
  core.profiles.save(
    {
      id: CLI_PROFILE_ID,
      name,
      servers: t.servers,
      auth: t.auth,
      tls: t.tls,
      system: t.system,
      monitorUrls: t.monitorUrls,
      jsDomain: t.jsDomain,
      inboxPrefix: t.inboxPrefix,
      timeoutMs: t.timeoutMs,
    },
    t.contextName ? 'nats-context' : 'env',
  );
}
