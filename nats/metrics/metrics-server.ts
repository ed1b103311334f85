import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { MetricsReader } from './inputs';
import { createMetricsRegistry, type BuildInfo } from './prometheus';

export interface MetricsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * A plain HTTP server answering `GET /metrics` on 127.0.0.1, for the desktop app's optional
 * metrics port and `jetdeck worker --metrics-port P`. `target` is a prom-client registry (the
 * core's monitor has one) or a reader of plain numbers (e.g. `() => ({ pool: pool.metricsSnapshot() })`),
 * so a bare worker process needs no core. Port 0 picks a free one.
 */
export async function createMetricsServer(
  target: Registry | MetricsReader,
  port: number,
  host = '127.0.0.1',
  build?: BuildInfo,
): Promise<MetricsServer> {
  const registry = target instanceof Registry ? target : createMetricsRegistry(target, build);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; try GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) =>
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `http://${host}:${actual}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
