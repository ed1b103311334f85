import type { MonitorClient, MonitorServersResult } from '../../api/features/monitor';
import { jsApiPrefix } from '../../nats/connect-options';
import type { ActiveConnection } from '../connections/connection-manager';
import type { EventBus } from '../events';
import type { AdvisoryFeed } from './advisories';
import type { MonitorConfigStore } from './config';
import type { HealthChecker } from './health';
import type { HistoryStore } from './history';
import { Sampler } from './sampler';
import { ServerRegistry } from './server-registry';
import { requestJson } from './sources/collect';
import { selectSource, type SelectOptions } from './sources/select';
import { SystemSource } from './sources/system';
import type { MonitorSource } from './sources/types';

const FLUSH_MS = 30_000;

export interface SessionDeps {
  bus: EventBus;
  config: MonitorConfigStore;
  health: HealthChecker;
  advisories: AdvisoryFeed;
  history: HistoryStore;
  select?: SelectOptions;
}

/**
 * Monitoring of one active connection: the chosen source, the server registry, the sampler,
 * the advisory subscriptions and the periodic history flush. Closed on disconnect or dispose.
 */
export class MonitorSession {
  readonly registry = new ServerRegistry();
  readonly sampler: Sampler;
  private readonly detach: (() => void)[] = [];
  private readonly flushTimer: NodeJS.Timeout;

  private constructor(
    readonly conn: ActiveConnection,
    readonly source: MonitorSource,
    private readonly d: SessionDeps,
  ) {
    this.sampler = new Sampler({
      profileId: conn.profile.id,
      nc: conn.nc,
      source,
      registry: this.registry,
      history: d.history,
      health: d.health,
      config: d.config,
      bus: d.bus,
    });
    this.detach.push(d.advisories.attach(conn.nc, 'account'));
    if (source instanceof SystemSource) this.detach.push(d.advisories.attach(source.nc, 'system'));
    this.flushTimer = setInterval(() => this.flush(), FLUSH_MS);
    this.flushTimer.unref();
  }

  static async open(conn: ActiveConnection, d: SessionDeps): Promise<MonitorSession> {
    const source = await selectSource(conn, d.select);
    const s = new MonitorSession(conn, source, d);
    s.sampler.start();
    void s.sampler.tick();
    return s;
  }

  /** A fresh full poll (jsz, routes, health…) plus the account's JetStream usage. */
  async servers(detail: boolean): Promise<MonitorServersResult> {
    if (detail) {
      try {
        this.registry.update(
          await this.source.poll({ detail: 'full', expected: this.registry.size || undefined }),
          'full',
        );
      } catch {
        this.registry.markAllDown();
      }
    }
    const account = await requestJson<AccountInfoJson>(
      this.conn.nc,
      `${jsApiPrefix(this.conn.nc)}.INFO`,
      {},
      2000,
    ).catch(() => undefined);
    return {
      source: this.source.info(),
      servers: this.registry.list(),
      account:
        account && !account.error
          ? {
              memory: account.memory,
              storage: account.storage,
              streams: account.streams,
              consumers: account.consumers,
              limits: {
                memory: account.limits.max_memory,
                storage: account.limits.max_storage,
                streams: account.limits.max_streams,
                consumers: account.limits.max_consumers,
              },
              api: account.api,
            }
          : undefined,
      fetchedAt: Date.now(),
    };
  }

  connz(limit: number): Promise<MonitorClient[]> {
    return this.source.connz({ limit });
  }

  flush(): void {
    try {
      this.d.history.flush();
    } catch (err) {
      console.error('[jetdeck] monitor history flush failed:', (err as Error).message);
    }
  }

  async close(): Promise<void> {
    this.sampler.dispose();
    clearInterval(this.flushTimer);
    for (const f of this.detach) f();
    this.flush();
    await this.source.close();
  }
}

interface AccountInfoJson {
  memory: number;
  storage: number;
  streams: number;
  consumers: number;
  limits: { max_memory: number; max_storage: number; max_streams: number; max_consumers: number };
  api: { total: number; errors: number };
  error?: { code: number; description: string };
}
