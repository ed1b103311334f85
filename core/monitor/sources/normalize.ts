import type {
  MonitorClient,
  MonitorGateway,
  MonitorJsz,
  MonitorLeaf,
  MonitorRoute,
  MonitorServer,
} from '../../../api/features/monitor';

/*
 * The server's monitoring JSON (varz, jsz, routez, gatewayz, leafz, healthz, connz) turned into
 * the contract's shapes. The same functions serve the system, HTTP and account sources, which
 * all carry the server's own JSON (the $SYS replies wrap it in `{server, data}`).
 */

type Json = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/** The fields varz contributes to a server. */
export type VarzPart = Pick<
  MonitorServer,
  | 'id'
  | 'name'
  | 'version'
  | 'cluster'
  | 'host'
  | 'port'
  | 'cpu'
  | 'mem'
  | 'connections'
  | 'totalConnections'
  | 'subscriptions'
  | 'inMsgs'
  | 'outMsgs'
  | 'inBytes'
  | 'outBytes'
  | 'slowConsumers'
  | 'uptimeSec'
>;

export function fromVarz(v: Json): VarzPart {
  const start = Date.parse(str(v.start) ?? '');
  const now = Date.parse(str(v.now) ?? '') || Date.now();
  return {
    id: str(v.server_id) ?? '',
    name: str(v.server_name) ?? str(v.server_id) ?? 'unknown',
    version: str(v.version),
    cluster: str(obj(v.cluster).name),
    host: str(v.host),
    port: num(v.port) || undefined,
    cpu: num(v.cpu),
    mem: num(v.mem),
    connections: num(v.connections),
    totalConnections: num(v.total_connections),
    subscriptions: num(v.subscriptions),
    inMsgs: num(v.in_msgs),
    outMsgs: num(v.out_msgs),
    inBytes: num(v.in_bytes),
    outBytes: num(v.out_bytes),
    slowConsumers: num(v.slow_consumers),
    uptimeSec: Number.isFinite(start) ? Math.max(0, Math.round((now - start) / 1000)) : undefined,
  };
}

export function fromJsz(j: Json): MonitorJsz {
  const cfg = obj(j.config);
  const meta = j.meta_cluster ? obj(j.meta_cluster) : undefined;
  return {
    streams: num(j.streams),
    consumers: num(j.consumers),
    messages: num(j.messages),
    bytes: num(j.bytes),
    memory: { used: num(j.memory), max: num(cfg.max_memory) },
    storage: { used: num(j.storage), max: num(cfg.max_storage) },
    api: { total: num(obj(j.api).total), errors: num(obj(j.api).errors) },
    meta: meta
      ? {
          cluster: str(meta.name),
          leader: str(meta.leader),
          clusterSize: num(meta.cluster_size) || undefined,
          peers: arr(meta.replicas).map((r) => ({
            name: str(r.name) ?? '?',
            current: r.current === true,
            offline: r.offline === true,
            active: typeof r.active === 'number' ? r.active / 1e6 : undefined,
          })),
        }
      : undefined,
  };
}

export function fromRoutez(r: Json): MonitorRoute[] {
  return arr(r.routes).map((x) => ({
    remoteId: str(x.remote_id) ?? '',
    remoteName: str(x.remote_name),
    ip: str(x.ip) ?? '',
    port: num(x.port),
    rtt: str(x.rtt),
    inMsgs: num(x.in_msgs),
    outMsgs: num(x.out_msgs),
    inBytes: num(x.in_bytes),
    outBytes: num(x.out_bytes),
    pendingBytes: num(x.pending_size),
  }));
}

export function fromGatewayz(g: Json): MonitorGateway[] {
  const out = obj(g.outbound_gateways);
  const inb = obj(g.inbound_gateways);
  const names = new Set([...Object.keys(out), ...Object.keys(inb)]);
  return [...names].map((name) => ({
    name,
    outbound: name in out,
    inboundCount: Array.isArray(inb[name]) ? (inb[name] as unknown[]).length : 0,
  }));
}

export function fromLeafz(l: Json): MonitorLeaf[] {
  return arr(l.leafs).map((x) => ({
    name: str(x.name),
    account: str(x.account),
    ip: str(x.ip) ?? '',
    port: num(x.port),
    rtt: str(x.rtt),
    inMsgs: num(x.in_msgs),
    outMsgs: num(x.out_msgs),
  }));
}

export function fromHealthz(h: Json): NonNullable<MonitorServer['health']> {
  const status = str(h.status);
  if (status === 'ok') return { status: 'ok' };
  return { status: 'error', error: str(h.error) ?? status ?? 'unhealthy' };
}

export function fromConnz(c: Json, server: string): MonitorClient[] {
  return arr(c.connections).map((x) => ({
    server,
    cid: num(x.cid),
    name: str(x.name),
    kind: str(x.kind),
    ip: str(x.ip) ?? '',
    port: num(x.port),
    account: str(x.account),
    user: str(x.authorized_user),
    lang: str(x.lang),
    version: str(x.version),
    inMsgs: num(x.in_msgs),
    outMsgs: num(x.out_msgs),
    inBytes: num(x.in_bytes),
    outBytes: num(x.out_bytes),
    pendingBytes: num(x.pending_bytes),
    subscriptions: num(x.subscriptions),
    uptimeSec: goDurationSec(str(x.uptime)),
    idleSec: goDurationSec(str(x.idle)),
    rttMs: x.rtt ? goDurationSec(str(x.rtt)) * 1000 : undefined,
  }));
}

const UNIT_SEC: Record<string, number> = {
  d: 86400,
  h: 3600,
  m: 60,
  s: 1,
  ms: 1e-3,
  µs: 1e-6,
  us: 1e-6,
  ns: 1e-9,
};

/** Parses the server's durations ("1d2h3m4s", "404µs", "1.5ms") to seconds. */
export function goDurationSec(s: string | undefined): number {
  if (!s) return 0;
  let total = 0;
  for (const m of s.matchAll(/([\d.]+)(ms|µs|us|ns|d|h|m|s)/g))
    total += parseFloat(m[1]) * (UNIT_SEC[m[2]] ?? 0);
  return total;
}

/** The `{server, data}` envelope of $SYS replies. */
export interface SysReply {
  server: { name: string; id: string; cluster?: string; ver?: string; host?: string };
  data: Json;
}
export function asSysReply(v: unknown): SysReply | undefined {
  const o = obj(v);
  const server = obj(o.server);
  if (typeof server.name !== 'string' || !o.data) {
    return undefined;
  }
  return {
    server: {
      name: server.name,
      id: str(server.id) ?? '',
      cluster: str(server.cluster),
      ver: str(server.ver),
      host: str(server.host),
    },
    data: obj(o.data),
  };
}
