import type { MonitorServer, ServerState } from '../../api/features/monitor';
import type { PollDetail, PolledServer } from './sources/types';

/** Fields only a full poll refreshes; a sample poll keeps the last full values. */
const FULL_ONLY = ['jsz', 'health', 'routes', 'gateways', 'leafs'] as const;

/**
 * Every server seen on this connection, keyed by name (server ids change on restart). A server
 * missing from a poll is marked down; its next reply marks it up again.
 */
export class ServerRegistry {
  private readonly servers = new Map<string, MonitorServer>();

  get size(): number {
    return this.servers.size;
  }

  /** Merges one poll's replies; returns the servers whose state changed. */
  update(
    polled: PolledServer[],
    detail: PollDetail,
    now = Date.now(),
  ): { name: string; state: ServerState }[] {
    const changes: { name: string; state: ServerState }[] = [];
    const seen = new Set<string>();
    for (const p of polled) {
      seen.add(p.name);
      const prev = this.servers.get(p.name);
      const next: MonitorServer = {
        ...(prev ?? {}),
        ...p,
        state: 'up',
        lastSeen: now,
        since: prev?.state === 'up' ? prev.since : now,
      };
      if (detail === 'sample' && prev)
        for (const k of FULL_ONLY)
          if (p[k] === undefined) (next as unknown as Record<string, unknown>)[k] = prev[k];
      if (prev?.state !== 'up') changes.push({ name: p.name, state: 'up' });
      this.servers.set(p.name, next);
    }
    for (const [name, s] of this.servers) {
      if (seen.has(name) || s.state === 'down') continue;
      this.servers.set(name, {
        ...s,
        state: 'down',
        since: now,
        health: { status: 'error', error: 'not answering' },
      });
      changes.push({ name, state: 'down' });
    }
    return changes;
  }

  /** The whole source failed (e.g. monitoring connection lost): everything is down. */
  markAllDown(now = Date.now()): void {
    this.update([], 'sample', now);
  }

  list(): MonitorServer[] {
    return [...this.servers.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): MonitorServer | undefined {
    return this.servers.get(name);
  }
}
