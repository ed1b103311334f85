import { registerConnections, LOCAL_PROFILE_ID, resolveForConnect } from './connections/feature';
import type { NatsTarget } from '../nats/cli-target';
import { Core, type CoreOptions } from './core';
import { registerMessages } from './messages/feature';
import { registerMonitor } from './monitor/feature';
import { registerStreams } from './streams/feature';
import { registerTasks } from './tasks/feature';
import { registerWorkers } from './workers/feature';

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
export function createCore(opts: CoreOptions): Core {
  const core = new Core(opts);
  registerConnections(core);
  registerTasks(core);
  registerWorkers(core);
  registerStreams(core);
  registerMessages(core);
  registerMonitor(core);
  return core;
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
    core.profiles.save(
      {
        id: CLI_PROFILE_ID,
        name: `--nats ${opts.natsUrl}`,
        servers: opts.natsUrl.split(',').map((s) => s.trim()),
        auth: opts.credsFile ? { kind: 'creds', credsFile: opts.credsFile } : { kind: 'none' },
      },
      'env',
    );
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
 * The profile behind serve's connection flags: everything the nats CLI conventions resolved
 * (auth, TLS, domain, inbox prefix, timeout, monitoring URLs, system account), secrets in the
 * secret store as for any profile. Named after the context or the first server.
 */
function saveTargetProfile(core: Core, t: NatsTarget): void {
  const first = t.servers[0].replace(/^[a-z]+:\/\//i, '').replace(/^[^@]*@/, '');
  const label = t.contextName
    ? `context ${t.contextName}`
    : first + (t.servers.length > 1 ? ` +${t.servers.length - 1}` : '');
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
