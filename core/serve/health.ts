import type { Core } from '../core';

export interface Health {
  ok: true;
  nats: {
    connected: boolean;
    /** The server we are (or were last) connected to; null before any connection. */
    server: string | null;
    version: string | null;
    jetstream: boolean;
  };
}

/** `GET /api/health`: the bridge is up (ok) and what the active NATS connection looks like. */
export function healthOf(core: Core): Health {
  const status = core.connections.status();
  const conn = core.connections.connection;
  const connected = status.state === 'connected' && !!conn && !conn.nc.isClosed();
  const info = connected ? conn.nc.info : undefined;
  return {
    ok: true,
    nats: {
      connected,
      server: asUrl(connected ? conn.nc.getServer() : status.server),
      version: info?.version ?? null,
      jetstream: info?.jetstream ?? false,
    },
  };
}

/** nats.js reports `host:port`; health promises a URL. */
function asUrl(server: string | undefined): string | null {
  if (!server) return null;
  return server.includes('://') ? server : `nats://${server}`;
}
