import { profileInputSchema, type AuthInput, type ConnectionProfile } from '../../api/features/connections';
import type { connectionsMethods } from '../../api/features/connections';
import { ApiError } from '../../api/errors';
import { splitUrlCredentials } from '../../api/nats-url';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { ConnectionManager } from './connection-manager';
import { importNatsContexts } from './context-import';
import { fetchOverview, recordSetupErrors } from './overview';
import type { ResolvedProfile } from './profile-store';

export const LOCAL_PROFILE_ID = 'local';

/** Connections, profiles, the managed local server and the overview. */
export function registerConnections(core: Core): void {
  const changed = () => core.bus.emit('connections.changed', listProfiles(core));
  // Once the queue is set up (its not-found checks done), the errors counted so far are not the user's.
  core.bus.on('tasks.topology', (report) => {
    const conn = core.connections.connection;
    if (conn && report.state !== 'error') void recordSetupErrors(conn).catch(() => undefined);
  });
  const handlers: HandlersFor<typeof connectionsMethods> = {
    'app.info': () => ({
      version: core.version,
      mode: core.mode === 'electron' ? 'electron' : 'serve',
      dataDir: core.dataDir,
      secrets: core.secrets.info,
      platform: process.platform,
    }),
    'connections.list': () => listProfiles(core),
    'connections.save': (input) => {
      if (input.id === LOCAL_PROFILE_ID)
        throw new ApiError('conflict', 'the embedded local profile is managed by JetDeck');
      const p = core.profiles.save(input);
      changed();
      return p;
    },
    'connections.delete': async ({ id }) => {
      if (id === LOCAL_PROFILE_ID)
        throw new ApiError('conflict', 'the embedded local profile cannot be deleted');
      if (core.connections.status().profileId === id) await core.connections.disconnect();
      await core.connections.close(id);
      const deleted = core.profiles.delete(id);
      if (!deleted) throw new ApiError('not_found', `no connection profile with id ${id}`);
      changed();
      return { deleted };
    },
    'connections.duplicate': ({ id }) => {
      const p = core.profiles.duplicate(id);
      changed();
      return p;
    },
    'connections.test': async (input) => {
      const profile: ResolvedProfile =
        'servers' in input
          ? mergeForTest(core, profileInputSchema.parse(input))
          : await resolveForConnect(core, input.id);
      return ConnectionManager.test(profile);
    },
    'connections.connect': async ({ id, keep }) => {
      const profile = await resolveForConnect(core, id);
      core.profiles.setActive(id);
      const status = await core.connections.connect(profile, { keep });
      changed();
      return status;
    },
    'connections.open': () => ({ open: core.connections.openConnections() }),
    'connections.close': async ({ id }) => {
      const wasActive = core.connections.status().profileId === id && !!core.connections.connection;
      const closed = await core.connections.close(id);
      if (wasActive) {
        core.profiles.setActive(undefined);
        changed();
      }
      return { closed };
    },
    'connections.disconnect': async () => {
      const s = await core.connections.disconnect();
      core.profiles.setActive(undefined);
      changed();
      return s;
    },
    'connections.status': () => core.connections.status(),
    'connections.importContexts': (input) => {
      const result = importNatsContexts(core, input ?? {});
      changed();
      return result;
    },
    'connections.overview': () => fetchOverview(core.connections.require()),
    'localServer.status': () => core.localServer.status(),
    'localServer.start': () => core.localServer.start(),
    'localServer.stop': async () => {
      await core.connections.close(LOCAL_PROFILE_ID);
      return core.localServer.stop();
    },
    'localServer.log': (input) => ({ lines: core.localServer.log(input?.tail) }),
  };
  core.router.register(handlers);
}

function listProfiles(core: Core): { profiles: ConnectionProfile[]; activeId?: string } {
  return { profiles: core.profiles.list(), activeId: core.profiles.activeId };
}

/** A test of an edited profile: secrets left blank in the form come from the stored profile. */
function mergeForTest(core: Core, input: ReturnType<typeof profileInputSchema.parse>): ResolvedProfile {
  let stored: ResolvedProfile | undefined;
  if (input.id) {
    try {
      stored = core.profiles.resolve(input.id);
    } catch {
      stored = undefined;
    }
  }
  // Credentials typed into the URL are used like the form's, and never kept in the URL.
  const { servers, auth: urlAuth } = splitUrlCredentials(input.servers);
  const given = urlAuth && input.auth.kind === 'none' ? urlAuth : input.auth;
  const auth = (
    stored && stored.auth.kind === given.kind ? { ...stored.auth, ...stripEmpty(given) } : given
  ) as AuthInput;
  return {
    id: input.id ?? 'test',
    name: input.name,
    servers,
    auth,
    tls: input.tls,
    source: 'user',
  };
}

function stripEmpty<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

/** Resolves a profile; the local one starts the managed server first and points at it. */
export async function resolveForConnect(core: Core, id: string): Promise<ResolvedProfile> {
  if (id !== LOCAL_PROFILE_ID) return core.profiles.resolve(id);
  const st = await core.localServer.start();
  if (st.state !== 'running' || !st.clientUrl) {
    throw new ApiError('unreachable', st.error ?? 'the embedded nats-server is not running', st.installHint);
  }
  const existing = core.profiles.list().find((p) => p.id === LOCAL_PROFILE_ID);
  if (!existing || existing.servers[0] !== st.clientUrl || existing.monitorUrls?.[0] !== st.monitorUrl) {
    core.profiles.save(
      {
        id: LOCAL_PROFILE_ID,
        name: 'Local (embedded)',
        servers: [st.clientUrl],
        auth: { kind: 'none' },
        monitorUrls: st.monitorUrl ? [st.monitorUrl] : undefined,
      },
      'local',
    );
  }
  return core.profiles.resolve(LOCAL_PROFILE_ID);
}
