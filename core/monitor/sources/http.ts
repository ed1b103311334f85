import { Agent as HttpAgent, get as httpGet, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, get as httpsGet } from 'node:https';
import { ApiError } from '../../../api/errors';
import type { MonitorClient, MonitorSourceInfo } from '../../../api/features/monitor';
import { fromConnz, fromGatewayz, fromHealthz, fromJsz, fromLeafz, fromRoutez, fromVarz } from './normalize';
import type { ConnzOptions, MonitorSource, PolledServer, PollOptions } from './types';

type Json = Record<string, unknown>;
const TIMEOUT_MS = 1000;

/**
 * The servers' HTTP monitoring endpoints (`http: host:8222`). Each URL describes only its own
 * server, so the cluster view is as complete as the list of URLs.
 */
export class HttpSource implements MonitorSource {
  readonly kind = 'http' as const;

  private constructor(readonly urls: string[]) {}

  /** Keeps the URLs that answer /varz now; throws when none does. */
  static async open(urls: string[]): Promise<HttpSource> {
    const clean = [...new Set(urls.map((u) => u.replace(/\/+$/, '')))];
    const ok = await Promise.all(
      clean.map((u) =>
        getJson(`${u}/varz`).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (!ok.some(Boolean))
      throw new ApiError('unreachable', `no HTTP monitoring URL answered (${clean.join(', ')})`);
    // Unreachable URLs are kept: they are servers that are down right now.
    return new HttpSource(clean);
  }

  info(): MonitorSourceInfo {
    return {
      source: 'http',
      explanation: `Using HTTP monitoring (${this.urls.join(', ')}): each URL reports only its own server, so servers without a URL are not shown. Add system-account credentials to the connection profile to see every server of the cluster, every connection and system advisories.`,
      fallbacks: [],
      monitorUrls: this.urls,
      capabilities: {
        allServers: false,
        varz: true,
        jsz: true,
        connz: 'all',
        routes: true,
        health: true,
        systemAdvisories: false,
      },
    };
  }

  async poll({ detail }: PollOptions): Promise<PolledServer[]> {
    const results = await Promise.all(this.urls.map((u) => this.pollOne(u, detail).catch(() => undefined)));
    return results.filter((s): s is PolledServer => !!s);
  }

  private async pollOne(url: string, detail: PollOptions['detail']): Promise<PolledServer> {
    const varz = await getJson(`${url}/varz`);
    const s: PolledServer = fromVarz(varz);
    if (detail === 'sample') return s;
    const [jsz, health, routez, gatewayz, leafz] = await Promise.all(
      ['/jsz', '/healthz', '/routez', '/gatewayz', '/leafz'].map((p) =>
        getJson(url + p).catch(() => undefined),
      ),
    );
    if (jsz) s.jsz = fromJsz(jsz);
    s.health = health ? fromHealthz(health) : { status: 'unknown' };
    if (routez) s.routes = fromRoutez(routez);
    if (gatewayz) s.gateways = fromGatewayz(gatewayz);
    if (leafz) s.leafs = fromLeafz(leafz);
    return s;
  }

  async connz({ limit }: ConnzOptions): Promise<MonitorClient[]> {
    const lists = await Promise.all(
      this.urls.map(async (u) => {
        try {
          const c = await getJson(`${u}/connz?limit=${limit}&auth=true`);
          return fromConnz(c, typeof c.server_name === 'string' ? c.server_name : await this.nameOf(u));
        } catch {
          return [];
        }
      }),
    );
    return lists.flat();
  }

  private async nameOf(url: string): Promise<string> {
    const v = await getJson(`${url}/varz`);
    return fromVarz(v).name;
  }

  async close(): Promise<void> {}
}

// Keep-alive agents: polling varz every second over node:http costs a fraction of fetch().
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 8 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 8 });

/** GET and parse JSON; /healthz answers 503 with a JSON body when unhealthy, so the body is kept. */
function getJson(url: string): Promise<Json> {
  return new Promise((resolve, reject) => {
    const tls = url.startsWith('https:');
    const onResponse = (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('error', reject);
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as Json);
        } catch {
          reject(new ApiError('unreachable', `${url}: HTTP ${res.statusCode}`));
        }
      });
    };
    const req = tls
      ? httpsGet(url, { agent: httpsAgent }, onResponse)
      : httpGet(url, { agent: httpAgent }, onResponse);
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`${url}: timed out after ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}
