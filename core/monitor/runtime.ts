import type { Registry } from 'prom-client';
import { ApiError } from '../../api/errors';
import type { ActiveConnection } from '../connections/connection-manager';
import type { Core } from '../core';
import { AdvisoryFeed } from './advisories';
import { MonitorConfigStore } from './config';
import { HealthChecker } from './health';
import { HistoryStore } from './history';
import { createMetricsRegistry } from '../../nats/metrics/prometheus';
import { readPoolMetrics } from './pool-metrics';
import { MonitorSession } from './session';

const LOCAL_PROFILE_ID = 'local';

/**
 * The monitor's per-core state: config, advisory feed, health, Prometheus registry, loaded
 * histories, and the session of the active connection (opened on connect, closed on disconnect
 * and dispose).
 */
export class MonitorRuntime {
  readonly config: MonitorConfigStore;
  readonly advisories: AdvisoryFeed;
  readonly health = new HealthChecker();
  readonly registry: Registry;
  private readonly histories = new Map<string, HistoryStore>();
  private session?: MonitorSession;
  private opening?: Promise<MonitorSession | undefined>;
  private generation = 0;

  constructor(private readonly core: Core) {
    this.config = new MonitorConfigStore(core.dataDir);
    this.advisories = new AdvisoryFeed(core.bus);
    this.registry = createMetricsRegistry(
      () => {
        const st = this.session?.sampler.state;
        return {
          pool: readPoolMetrics(),
          consumers: st?.consumers,
          streams: st?.streams,
          servers: this.session?.registry.list(),
        };
      },
      { version: core.version, component: core.mode },
    );
    this.config.onChange((c) => this.session?.sampler.setInterval(c.intervalMs));
    core.connections.onConnected((conn) => {
      void this.open(conn);
    });
    core.connections.onDisconnected(() => this.close());
    core.onDispose(async () => {
      await this.close();
      this.advisories.dispose();
      for (const h of this.histories.values()) h.flush();
    });
  }

  /** The active session, waiting for one being opened; not_connected otherwise. */
  async requireSession(): Promise<MonitorSession> {
    const s = this.session ?? (await this.opening);
    if (!s)
      throw new ApiError(
        'not_connected',
        'Not connected to a NATS server. Connect on the Connections screen.',
      );
    return s;
  }

  /** The history of a profile (default: the active or last active one), loaded from disk once. */
  history(profileId?: string): HistoryStore | undefined {
    const id =
      profileId ??
      this.session?.conn.profile.id ??
      this.core.connections.status().profileId ??
      this.core.profiles.activeId;
    if (!id) return undefined;
    let h = this.histories.get(id);
    if (!h) {
      h = new HistoryStore(this.core.dataDir, id, this.config.get().intervalMs);
      h.load();
      this.histories.set(id, h);
    }
    return h;
  }

  private async open(conn: ActiveConnection): Promise<void> {
    await this.close();
    const gen = ++this.generation;
    const local =
      conn.profile.id === LOCAL_PROFILE_ID ? this.core.localServer.status().monitorUrl : undefined;
    this.opening = MonitorSession.open(conn, {
      bus: this.core.bus,
      config: this.config,
      health: this.health,
      advisories: this.advisories,
      history: this.history(conn.profile.id) as HistoryStore,
      select: { extraMonitorUrls: local && !conn.profile.monitorUrls?.includes(local) ? [local] : [] },
    }).catch((err: unknown) => {
      console.error('[jetdeck] monitor could not start:', (err as Error).message);
      return undefined;
    });
    const s = await this.opening;
    this.opening = undefined;
    if (!s) return;
    if (gen !== this.generation) {
      await s.close();
      return;
    }
    this.session = s;
  }

  private async close(): Promise<void> {
    this.generation++;
    const s = this.session ?? (await this.opening);
    this.session = undefined;
    this.opening = undefined;
    if (s) await s.close();
    this.health.reset();
  }
}
