import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import {
  MAX_OPEN_CONNECTIONS,
  type ConnectionStatus,
  type OpenConnection,
  type TestResult,
} from '../../api/features/connections';
import { ApiError } from '../../api/errors';
import { toApiError } from '../errors';
import type { EventBus } from '../events';
import { connectTo, jsOptions } from '../../nats/connect-options';
import type { ResolvedProfile } from './profile-store';

/** The live connection features use. `jsm()` is lazy: it fails when JetStream is off. */
export class ActiveConnection {
  readonly js: JetStreamClient;
  readonly openedAt = Date.now();
  private jsmPromise?: Promise<JetStreamManager>;
  constructor(
    readonly nc: NatsConnection,
    readonly profile: ResolvedProfile,
  ) {
    this.js = jetstream(nc, jsOptions(nc, profile.timeoutMs));
  }
  jsm(): Promise<JetStreamManager> {
    this.jsmPromise ??= jetstreamManager(this.nc, jsOptions(this.nc, this.profile.timeoutMs)).catch(
      (err: unknown) => {
        this.jsmPromise = undefined;
        throw err;
      },
    );
    return this.jsmPromise;
  }
  /** Server version as [major, minor, patch], for feature gating (never by catching errors). */
  serverVersion(): [number, number, number] {
    const v = (this.nc.info?.version ?? '0.0.0').split('.').map((x) => parseInt(x, 10) || 0);
    return [v[0] ?? 0, v[1] ?? 0, v[2] ?? 0];
  }
  atLeast(major: number, minor: number): boolean {
    const [a, b] = this.serverVersion();
    return a > major || (a === major && b >= minor);
  }
}

type Hook = (conn: ActiveConnection) => void | Promise<void>;

const RTT_INTERVAL_MS = 5000;

/**
 * Holds the one active NATS connection and publishes its status (connecting, connected with
 * server and RTT, reconnecting attempt n, disconnected with reason, auth/TLS errors in the
 * server's words). Features hook onConnected/onDisconnected to set up and tear down.
 */
export class ConnectionManager {
  private active?: ActiveConnection;
  private current: ConnectionStatus = { state: 'idle', since: Date.now() };
  private readonly connectedHooks = new Set<Hook>();
  private readonly disconnectedHooks = new Set<Hook>();
  private rttTimer?: NodeJS.Timeout;
  private generation = 0;
  /** Connections kept open in the background, by profile id, oldest first. */
  private readonly parked = new Map<string, { conn: ActiveConnection; reconnecting: boolean }>();

  constructor(private readonly bus: EventBus) {}

  status(): ConnectionStatus {
    return { ...this.current };
  }

  get connection(): ActiveConnection | undefined {
    return this.active;
  }

  /** The active connection or a clear not_connected error. */
  require(): ActiveConnection {
    if (!this.active || this.active.nc.isClosed()) {
      throw new ApiError(
        'not_connected',
        'Not connected to a NATS server. Connect on the Connections screen.',
      );
    }
    return this.active;
  }

  onConnected(hook: Hook): () => void {
    this.connectedHooks.add(hook);
    if (this.active) void runHook(hook, this.active);
    return () => this.connectedHooks.delete(hook);
  }

  onDisconnected(hook: Hook): () => void {
    this.disconnectedHooks.add(hook);
    return () => this.disconnectedHooks.delete(hook);
  }

  /**
   * Makes `profile`'s connection the active one. `keep` parks the connection active until now
   * (features detach from it as on a disconnect, but it stays open); a parked connection of
   * `profile` is reused as is.
   */
  async connect(profile: ResolvedProfile, opts: { keep?: boolean } = {}): Promise<ConnectionStatus> {
    const cur = this.active;
    if (cur && cur.profile.id === profile.id && !cur.nc.isClosed() && opts.keep) return this.status();
    if (opts.keep && cur && !cur.nc.isClosed()) await this.park(cur);
    else await this.disconnect();
    const gen = ++this.generation;
    const reuse = this.parked.get(profile.id);
    this.parked.delete(profile.id);
    if (reuse && !reuse.conn.nc.isClosed() && sameTarget(reuse.conn.profile, profile)) {
      return this.activate(reuse.conn, gen);
    }
    if (reuse) await reuse.conn.nc.close().catch(() => {});
    this.setStatus({
      state: 'connecting',
      profileId: profile.id,
      profileName: profile.name,
      server: profile.servers[0],
    });
    let conn: NatsConnection;
    try {
      conn = await connectTo(profile);
    } catch (err) {
      const e = connectError(err, profile);
      if (gen === this.generation) {
        this.setStatus({
          state: 'error',
          profileId: profile.id,
          profileName: profile.name,
          reason: e.message,
          errorCode: e.code,
        });
      }
      throw e;
    }
    if (gen !== this.generation) {
      await conn.close();
      throw new ApiError('conflict', 'connection attempt superseded by another');
    }
    return this.activate(new ActiveConnection(conn, profile), gen);
  }

  private async activate(active: ActiveConnection, gen: number): Promise<ConnectionStatus> {
    const { nc: conn, profile } = active;
    this.active = active;
    this.watch(active, gen);
    const rtt = await conn.rtt().catch(() => undefined);
    this.setStatus({
      state: 'connected',
      profileId: profile.id,
      profileName: profile.name,
      server: conn.getServer(),
      rttMs: rtt,
    });
    this.rttTimer = setInterval(() => void this.refreshRtt(active), RTT_INTERVAL_MS);
    this.rttTimer.unref();
    this.emitOpen();
    for (const h of this.connectedHooks) await runHook(h, active);
    return this.status();
  }

  /** Detaches features from the active connection and keeps it open in the background. */
  private async park(a: ActiveConnection): Promise<void> {
    this.generation++;
    if (this.rttTimer) clearInterval(this.rttTimer);
    this.rttTimer = undefined;
    this.active = undefined;
    for (const h of this.disconnectedHooks) await runHook(h, a);
    const entry = { conn: a, reconnecting: false };
    this.parked.set(a.profile.id, entry);
    // Its state is still shown in the list of open connections; it ends when closed.
    void (async () => {
      for await (const s of a.nc.status()) {
        if (this.parked.get(a.profile.id) !== entry) return;
        if (s.type === 'disconnect' || s.type === 'reconnecting') entry.reconnecting = true;
        else if (s.type === 'reconnect') entry.reconnecting = false;
        else continue;
        this.emitOpen();
      }
    })();
    void a.nc.closed().then(() => {
      if (this.parked.get(a.profile.id) !== entry) return;
      this.parked.delete(a.profile.id);
      this.emitOpen();
    });
    // The cap: the oldest parked connection goes first.
    while (this.parked.size > MAX_OPEN_CONNECTIONS - 1) {
      const [id, oldest] = this.parked.entries().next().value!;
      this.parked.delete(id);
      await oldest.conn.nc.close().catch(() => {});
    }
    this.emitOpen();
  }

  /** Every open connection, the active one first. */
  openConnections(): OpenConnection[] {
    const out: OpenConnection[] = [];
    const a = this.active;
    if (a && !a.nc.isClosed()) {
      out.push({
        profileId: a.profile.id,
        profileName: a.profile.name,
        server: this.current.server,
        state: this.current.state === 'reconnecting' ? 'reconnecting' : 'connected',
        active: true,
        openedAt: a.openedAt,
      });
    }
    for (const { conn, reconnecting } of this.parked.values()) {
      if (conn.nc.isClosed()) continue;
      out.push({
        profileId: conn.profile.id,
        profileName: conn.profile.name,
        server: conn.nc.getServer(),
        state: reconnecting ? 'reconnecting' : 'connected',
        active: false,
        openedAt: conn.openedAt,
      });
    }
    return out;
  }

  /** Closes one open connection; the active one is disconnected as by `disconnect()`. */
  async close(profileId: string): Promise<boolean> {
    if (this.active?.profile.id === profileId) {
      await this.disconnect();
      return true;
    }
    const p = this.parked.get(profileId);
    if (!p) return false;
    this.parked.delete(profileId);
    await p.conn.nc.close().catch(() => {});
    this.emitOpen();
    return true;
  }

  /** Closes every connection, active and parked (on dispose). */
  async closeAll(): Promise<void> {
    await this.disconnect();
    for (const id of [...this.parked.keys()]) await this.close(id);
  }

  private emitOpen(): void {
    this.bus.emit('connections.open', { open: this.openConnections() });
  }

  async disconnect(): Promise<ConnectionStatus> {
    const a = this.active;
    this.generation++;
    if (this.rttTimer) clearInterval(this.rttTimer);
    this.rttTimer = undefined;
    if (!a) return this.status();
    this.active = undefined;
    for (const h of this.disconnectedHooks) await runHook(h, a);
    await a.nc.close().catch(() => {});
    this.setStatus({
      state: 'disconnected',
      profileId: a.profile.id,
      profileName: a.profile.name,
      reason: 'disconnected by user',
    });
    this.emitOpen();
    return this.status();
  }

  /** Connects once without touching the active connection. */
  static async test(profile: ResolvedProfile): Promise<TestResult> {
    let conn: NatsConnection | undefined;
    try {
      conn = await connectTo(profile, { maxReconnectAttempts: 0, reconnect: false });
      const rtt = await conn.rtt();
      let js = false;
      try {
        await (await jetstreamManager(conn, { timeout: 3000 })).getAccountInfo();
        js = true;
      } catch {
        js = false;
      }
      return { ok: true, server: conn.getServer(), version: conn.info?.version, jetstream: js, rttMs: rtt };
    } catch (err) {
      const e = connectError(err, profile);
      return { ok: false, error: { code: e.code, message: e.message } };
    } finally {
      await conn?.close().catch(() => {});
    }
  }

  private async refreshRtt(a: ActiveConnection): Promise<void> {
    if (this.active !== a || this.current.state !== 'connected') return;
    try {
      const rtt = await a.nc.rtt();
      if (this.active === a && this.current.state === 'connected')
        this.setStatus({ ...this.current, rttMs: rtt });
    } catch {
      /* a disconnect is reported by the status loop */
    }
  }

  private watch(a: ActiveConnection, gen: number): void {
    const base = { profileId: a.profile.id, profileName: a.profile.name };
    let attempt = 0;
    let lastError: string | undefined;
    void (async () => {
      for await (const s of a.nc.status()) {
        if (gen !== this.generation) return;
        switch (s.type) {
          case 'disconnect':
            attempt = 0;
            this.setStatus({
              ...base,
              state: 'reconnecting',
              server: s.server,
              attempt,
              reason: lastError ?? 'connection lost',
            });
            break;
          case 'reconnecting':
            attempt++;
            this.setStatus({
              ...base,
              state: 'reconnecting',
              server: this.current.server,
              attempt,
              reason: lastError ?? this.current.reason,
            });
            break;
          case 'reconnect':
            attempt = 0;
            lastError = undefined;
            this.setStatus({
              ...base,
              state: 'connected',
              server: s.server,
              rttMs: await a.nc.rtt().catch(() => undefined),
            });
            break;
          case 'error':
            lastError = s.error.message;
            this.setStatus({
              ...this.current,
              ...base,
              reason: lastError,
              errorCode: toApiError(s.error).code,
            });
            break;
          default:
            break;
        }
      }
    })();
    void a.nc.closed().then((err) => {
      if (gen !== this.generation || this.active !== a) return;
      this.active = undefined;
      if (this.rttTimer) clearInterval(this.rttTimer);
      for (const h of this.disconnectedHooks) void runHook(h, a);
      const e = err ? toApiError(err) : undefined;
      this.setStatus({
        ...base,
        state: e ? 'error' : 'disconnected',
        reason: e?.message ?? lastError ?? 'connection closed',
        errorCode: e?.code,
      });
      this.emitOpen();
    });
  }

  private setStatus(s: Omit<ConnectionStatus, 'since'> & { since?: number }): void {
    const since = s.state === this.current.state && s.since ? s.since : Date.now();
    this.current = { ...s, since };
    this.bus.emit('connection.status', this.status());
  }
}

/** A parked connection is reused only if the profile still points at the same place the same way. */
function sameTarget(a: ResolvedProfile, b: ResolvedProfile): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A connect failure as an ApiError. A reset while connecting is not an internal error: with
 * TLS on it is almost always the server refusing the handshake (e.g. no client certificate),
 * whose alert can lose the race with the reset.
 */
function connectError(err: unknown, profile: Pick<ResolvedProfile, 'tls'>): ApiError {
  const e = toApiError(err);
  if (e.code !== 'internal') return e;
  const errno = (err as NodeJS.ErrnoException).code;
  if (errno === 'ECONNRESET' || errno === 'EPIPE' || /socket disconnected|socket hang up/i.test(e.message)) {
    return profile.tls?.enabled
      ? new ApiError(
          'tls_error',
          `${e.message}: the server closed the connection during TLS (is a client certificate required?)`,
          undefined,
          e.name,
        )
      : new ApiError('unreachable', e.message, undefined, e.name);
  }
  return e;
}

async function runHook(hook: Hook, a: ActiveConnection): Promise<void> {
  try {
    await hook(a);
  } catch (err) {
    console.error('[jetdeck] connection hook failed:', (err as Error).message);
  }
}
