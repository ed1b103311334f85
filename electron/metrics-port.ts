import { z } from 'zod';
import type { AppCore } from '../core/features';
import { createMetricsServer, type MetricsServer } from '../nats/metrics/metrics-server';

const metricsPortSchema = z.coerce
  .number({ error: 'JETDECK_METRICS_PORT must be a port number 1..65535' })
  .int('JETDECK_METRICS_PORT must be a whole number')
  .min(1, 'JETDECK_METRICS_PORT must be a port 1..65535')
  .max(65535, 'JETDECK_METRICS_PORT must be a port 1..65535');

/** The desktop app's optional metrics port: env `JETDECK_METRICS_PORT`; unset or empty means off. */
export function metricsPortFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.JETDECK_METRICS_PORT?.trim();
  if (!raw) return undefined;
  const parsed = metricsPortSchema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

/**
 * Serves the core's Prometheus registry (the same `jetdeck_` metrics as `jetdeck serve`'s
 * /metrics) on 127.0.0.1 only: no token guards it, so it never listens beyond loopback.
 * Closed when the core is disposed.
 */
export async function serveDesktopMetrics(core: AppCore, port: number): Promise<MetricsServer> {
  const server = await createMetricsServer(core.features.monitor.registry, port, '127.0.0.1');
  core.onDispose(() => server.close());
  return server;
}
