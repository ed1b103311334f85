import type { ServerOverview } from '../../api/features/connections';
import type { ActiveConnection } from './connection-manager';

/** Per connection: the account's API error count right after JetDeck's own setup (see errorsAtSetup). */
const setupErrors = new WeakMap<ActiveConnection, number>();

/**
 * Called once JetDeck's task queue is set up on this connection. The rest of JetDeck's start-up
 * (state buckets, leases, first reads) may still be counting not-found answers for a moment, so the
 * baseline is taken once the count has held still for a second (5 s at the most).
 */
export async function recordSetupErrors(conn: ActiveConnection): Promise<void> {
  if (setupErrors.has(conn)) return;
  setupErrors.set(conn, Number.NaN); // taken once per connection, even while this runs
  const jsm = await conn.jsm();
  let last = (await jsm.getAccountInfo()).api.errors;
  for (let waited = 0; waited < 5_000; waited += 1_000) {
    await new Promise((r) => setTimeout(r, 1_000));
    if (conn.nc.isClosed()) return;
    const now = (await jsm.getAccountInfo()).api.errors;
    if (now === last) break;
    last = now;
  }
  setupErrors.set(conn, last);
}

/** The baseline once taken (undefined while JetDeck is still setting up). */
function setupBaseline(conn: ActiveConnection): number | undefined {
  const n = setupErrors.get(conn);
  return n === undefined || Number.isNaN(n) ? undefined : n;
}

/** Server INFO plus the account's JetStream usage against its limits. */
export async function fetchOverview(conn: ActiveConnection): Promise<ServerOverview> {
  const info = conn.nc.info;
  const rttMs = await conn.nc.rtt();
  const ov: ServerOverview = {
    connectedUrl: conn.nc.getServer(),
    rttMs,
    server: {
      id: info?.server_id ?? '',
      name: info?.server_name ?? '',
      version: info?.version ?? '',
      host: info?.host ?? '',
      port: info?.port ?? 0,
      cluster: info?.cluster,
      headers: info?.headers ?? false,
      maxPayload: info?.max_payload ?? 0,
      clientId: info?.client_id ?? 0,
      clientIp: info?.client_ip,
      tlsRequired: info?.tls_required ?? false,
      proto: info?.proto ?? 0,
    },
    clusterPeers: [...new Set(info?.connect_urls ?? [])],
    jetstream: null,
    fetchedAt: Date.now(),
  };
  try {
    const ai = await (await conn.jsm()).getAccountInfo();
    ov.jetstream = {
      domain: ai.domain,
      api: { total: ai.api.total, errors: ai.api.errors, errorsAtSetup: setupBaseline(conn) },
      usage: { memory: ai.memory, storage: ai.storage, streams: ai.streams, consumers: ai.consumers },
      limits: {
        memory: ai.limits.max_memory,
        storage: ai.limits.max_storage,
        streams: ai.limits.max_streams,
        consumers: ai.limits.max_consumers,
      },
    };
  } catch (err) {
    ov.jetstreamError = (err as Error).message;
  }
  return ov;
}
