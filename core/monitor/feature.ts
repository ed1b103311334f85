import type { MonitorClient, monitorMethods } from '../../api/features/monitor';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { MonitorRuntime } from './runtime';

/** Registers the monitor feature's handlers; the runtime hooks connect/disconnect/dispose. */
export function registerMonitor(core: Core): MonitorRuntime {
  const rt = new MonitorRuntime(core);
  const handlers: HandlersFor<typeof monitorMethods> = {
    'monitor.sources': async () => (await rt.requireSession()).source.info(),
    'monitor.servers': async ({ detail }) => (await rt.requireSession()).servers(detail),
    'monitor.connz': async ({ sort, order, limit, server, q }) => {
      const s = await rt.requireSession();
      let clients = await s.connz(Math.max(limit, 1024));
      const total = clients.length;
      if (server) clients = clients.filter((c) => c.server === server);
      if (q) {
        const needle = q.toLowerCase();
        clients = clients.filter((c) =>
          [c.name, c.ip, c.account, c.user, c.lang].some((v) => v?.toLowerCase().includes(needle)),
        );
      }
      clients.sort(compareBy(sort, order));
      return {
        source: s.source.kind,
        scope: s.source.info().capabilities.connz === 'account' ? 'account' : 'all',
        total,
        clients: clients.slice(0, limit),
        fetchedAt: Date.now(),
      };
    },
    'monitor.history': ({ range, series, profileId }) => {
      const h = rt.history(profileId);
      return h
        ? h.query(range, series)
        : { range, resolutionMs: rt.config.get().intervalMs, t: [], series: {} };
    },
    'monitor.config.get': () => rt.config.get(),
    'monitor.config.set': (input) => rt.config.set(input),
    'monitor.advisories.list': ({ filter, q, limit }) => rt.advisories.list(filter, q, limit),
    'monitor.advisories.export': ({ filter, q }) => rt.advisories.exportJsonl(filter, q),
    'monitor.advisories.clear': () => ({ cleared: rt.advisories.clear() }),
    'monitor.health': () => rt.health.map(),
  };
  core.router.register(handlers);
  return rt;
}

function compareBy(
  field: keyof MonitorClient,
  order: 'asc' | 'desc',
): (a: MonitorClient, b: MonitorClient) => number {
  const dir = order === 'asc' ? 1 : -1;
  return (a, b) => {
    const x = a[field];
    const y = b[field];
    if (x === y) return 0;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return (
      (typeof x === 'string' || typeof y === 'string'
        ? String(x).localeCompare(String(y))
        : Number(x) - Number(y)) * dir
    );
  };
}
