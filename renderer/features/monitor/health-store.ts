import { useEffect } from 'react';
import { create } from 'zustand';
import type { HealthEntry, HealthMap, HealthStatus } from '../../../api/features/monitor';
import { api } from '../../api';
import { useConnections } from '../connections/store';

interface HealthState {
  /** Latest health of every stream and consumer, keyed like the thresholds' overrides. */
  entries: Record<string, HealthEntry>;
  overall: HealthStatus;
  at: number;
  /** Whether the first `monitor.health` call has answered. */
  loaded: boolean;
  setMap: (m: HealthMap) => void;
}

/** Mirrors the core's health checks: one full read, then 'monitor.health' change events. */
export const useHealth = create<HealthState>()((set) => ({
  entries: {},
  overall: 'OK',
  at: 0,
  loaded: false,
  setMap: (m) => set({ entries: m.entries, overall: m.overall, at: m.at, loaded: true }),
}));

api.on('monitor.health', (change) => {
  const entries = { ...useHealth.getState().entries };
  for (const c of change.changes) {
    if (c.entry) entries[c.key] = c.entry;
    else delete entries[c.key];
  }
  useHealth.setState({ entries, overall: change.overall, at: change.at });
});

// The core forgets health on disconnect without an event; a new connection re-reads the map.
useConnections.subscribe((s, prev) => {
  if (
    s.status.state !== prev.status.state &&
    (s.status.state === 'connected' || prev.status.state === 'connected')
  )
    useHealth.setState({ entries: {}, overall: 'OK', loaded: false });
});

let loading: Promise<void> | undefined;
/** Reads the whole map (on first use and after reconnects); events keep it fresh afterwards. */
export function refreshHealth(): Promise<void> {
  loading ??= api
    .call('monitor.health')
    .then((m) => useHealth.getState().setMap(m))
    .catch(() => {
      // Not connected: the map stays empty until the next refresh.
      useHealth.setState({ entries: {}, overall: 'OK', loaded: true });
    })
    .finally(() => {
      loading = undefined;
    });
  return loading;
}

/** The health key of a stream (`name`) or a consumer (`stream/consumer`). */
export function healthKey(kind: 'stream' | 'consumer', name: string): string {
  return `${kind}:${name}`;
}

/**
 * The health entry of one stream or consumer, live. `name` is the stream name, or
 * `stream/consumer` for a consumer. Undefined while unknown (not sampled yet or not connected).
 * Drop `<HealthBadge entry={useHealthFor('consumer', `${stream}/${name}`)} />` into a list row.
 */
export function useHealthFor(kind: 'stream' | 'consumer', name: string): HealthEntry | undefined {
  useHealthLoaded();
  return useHealth((s) => s.entries[healthKey(kind, name)]);
}

/** Reads the map once it is needed (first use, and again after a reconnect cleared it). */
export function useHealthLoaded(): boolean {
  const loaded = useHealth((s) => s.loaded);
  useEffect(() => {
    if (!loaded) void refreshHealth();
  }, [loaded]);
  return loaded;
}
