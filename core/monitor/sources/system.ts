import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ApiError } from '../../../api/errors';
import type { MonitorClient, MonitorSourceInfo } from '../../../api/features/monitor';
import { connectOptions } from '../../../nats/connect-options';
import type { ResolvedProfile } from '../../connections/profile-store';
import { collectReplies } from './collect';
import {
  asSysReply,
  fromConnz,
  fromGatewayz,
  fromHealthz,
  fromJsz,
  fromLeafz,
  fromRoutez,
  fromVarz,
  type SysReply,
} from './normalize';
import type { ConnzOptions, MonitorSource, PolledServer, PollOptions } from './types';

const PING = '$SYS.REQ.SERVER.PING';
const WAIT = { maxWaitMs: 1000, stallMs: 200 };

/**
 * `$SYS.REQ.SERVER.PING.*` over a separate connection with the system account's credentials
 * (JetStream cannot be used from the system account, so it cannot share the user's connection).
 * Every server of the cluster answers.
 */
export class SystemSource implements MonitorSource {
  readonly kind = 'system' as const;

  private constructor(readonly nc: NatsConnection) {}

  /** Connects and checks that the system account answers; throws otherwise. */
  static async open(profile: ResolvedProfile): Promise<SystemSource> {
    if (!profile.system) throw new ApiError('unsupported', 'no system-account credentials in this profile');
    const nc = await connect(
      connectOptions(
        { servers: profile.servers, auth: profile.system.auth, tls: profile.tls },
        { name: 'jetdeck-monitor', timeout: 3000 },
      ),
    );
    const src = new SystemSource(nc);
    try {
      const replies = await collectReplies(nc, `${PING}.VARZ`, {}, { maxWaitMs: 1500, stallMs: 200 });
      if (!replies.some((r) => asSysReply(r)))
        throw new ApiError('auth_error', 'no server answered $SYS.REQ.SERVER.PING (not the system account?)');
    } catch (err) {
      await nc.close().catch(() => {});
      throw err;
    }
    return src;
  }

  info(): MonitorSourceInfo {
    return {
      source: 'system',
      explanation:
        'Using the system account ($SYS.REQ.SERVER.PING.*): every server of the cluster reports CPU, memory, connections, traffic, JetStream, routes, gateways, leaf nodes and health; system advisories are included.',
      fallbacks: [],
      capabilities: {
        allServers: true,
        varz: true,
        jsz: true,
        connz: 'all',
        routes: true,
        health: true,
        systemAdvisories: true,
      },
    };
  }

  private async ping(kind: string, expected: number | undefined, body: unknown = {}): Promise<SysReply[]> {
    const replies = await collectReplies(this.nc, `${PING}.${kind}`, body, { ...WAIT, expected });
    return replies.map(asSysReply).filter((r): r is SysReply => !!r);
  }

  async poll({ detail, expected }: PollOptions): Promise<PolledServer[]> {
    if (detail === 'sample') {
      return (await this.ping('VARZ', expected)).map((r) => serverFrom(r));
    }
    const [varz, jsz, health, routez, gatewayz, leafz] = await Promise.all([
      this.ping('VARZ', expected),
      this.ping('JSZ', expected),
      this.ping('HEALTHZ', expected),
      this.ping('ROUTEZ', expected),
      this.ping('GATEWAYZ', expected),
      this.ping('LEAFZ', expected),
    ]);
    const by = (list: SysReply[]) => new Map(list.map((r) => [r.server.name, r.data]));
    const [j, h, r, g, l] = [by(jsz), by(health), by(routez), by(gatewayz), by(leafz)];
    return varz.map((v) => {
      const name = v.server.name;
      const s = serverFrom(v);
      const jd = j.get(name);
      const hd = h.get(name);
      const rd = r.get(name);
      const gd = g.get(name);
      const ld = l.get(name);
      if (jd) s.jsz = fromJsz(jd);
      s.health = hd ? fromHealthz(hd) : { status: 'unknown' };
      if (rd) s.routes = fromRoutez(rd);
      if (gd) s.gateways = fromGatewayz(gd);
      if (ld) s.leafs = fromLeafz(ld);
      return s;
    });
  }

  async connz({ limit }: ConnzOptions): Promise<MonitorClient[]> {
    const replies = await this.ping('CONNZ', undefined, { limit, subscriptions: false });
    return replies.flatMap((r) => fromConnz(r.data, r.server.name));
  }

  async close(): Promise<void> {
    await this.nc.close().catch(() => {});
  }
}

function serverFrom(r: SysReply): PolledServer {
  const v = fromVarz(r.data);
  return { ...v, name: r.server.name, id: r.server.id || v.id, cluster: v.cluster ?? r.server.cluster };
}
