import type { NatsConnection } from '@nats-io/transport-node';
import type { MonitorClient, MonitorSourceInfo } from '../../../api/features/monitor';
import { collectReplies } from './collect';
import { asSysReply, fromConnz, type SysReply } from './normalize';
import type { ConnzOptions, MonitorSource, PolledServer, PollOptions } from './types';

/**
 * What every user may ask: `$SYS.REQ.ACCOUNT.PING.STATZ` (this account's connections and traffic
 * per server; `include_unused` makes servers without local clients answer too) and
 * `…ACCOUNT.PING.CONNZ` (this account's clients). Runs on the user's own connection.
 */
export class AccountSource implements MonitorSource {
  readonly kind = 'account' as const;

  constructor(
    private readonly nc: NatsConnection,
    private readonly fallbacks: MonitorSourceInfo['fallbacks'],
  ) {}

  info(): MonitorSourceInfo {
    return {
      source: 'account',
      explanation:
        "Using this account's own view ($JS.API.INFO, $SYS.REQ.ACCOUNT.PING.STATZ and CONNZ): servers are listed with this account's connections and traffic only. CPU, memory, server-wide traffic, routes, the JetStream meta group, health and system advisories need system-account credentials or HTTP monitoring URLs in the connection profile.",
      fallbacks: this.fallbacks,
      capabilities: {
        allServers: true,
        varz: false,
        jsz: false,
        connz: 'account',
        routes: false,
        health: false,
        systemAdvisories: false,
      },
    };
  }

  async poll({ expected }: PollOptions): Promise<PolledServer[]> {
    const replies = await collectReplies(
      this.nc,
      '$SYS.REQ.ACCOUNT.PING.STATZ',
      { include_unused: true },
      { expected, maxWaitMs: 1000, stallMs: 200 },
    );
    return replies
      .map(asSysReply)
      .filter((r): r is SysReply => !!r)
      .map((r) => {
        const stat = (Array.isArray(r.data.account_statz) ? r.data.account_statz[0] : undefined) as
          | {
              acc?: string;
              conns?: number;
              sent?: { msgs?: number; bytes?: number };
              received?: { msgs?: number; bytes?: number };
              slow_consumers?: number;
            }
          | undefined;
        return {
          name: r.server.name,
          id: r.server.id,
          version: r.server.ver,
          cluster: r.server.cluster,
          host: r.server.host,
          slowConsumers: stat?.slow_consumers,
          account: {
            name: stat?.acc ?? '',
            connections: stat?.conns ?? 0,
            inMsgs: stat?.received?.msgs ?? 0,
            outMsgs: stat?.sent?.msgs ?? 0,
            inBytes: stat?.received?.bytes ?? 0,
            outBytes: stat?.sent?.bytes ?? 0,
          },
        };
      });
  }

  async connz({ limit }: ConnzOptions): Promise<MonitorClient[]> {
    const replies = await collectReplies(
      this.nc,
      '$SYS.REQ.ACCOUNT.PING.CONNZ',
      { limit },
      { maxWaitMs: 1000, stallMs: 200 },
    );
    return replies
      .map(asSysReply)
      .filter((r): r is SysReply => !!r)
      .flatMap((r) => fromConnz(r.data, r.server.name));
  }

  async close(): Promise<void> {}
}
