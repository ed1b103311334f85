import type { Core } from '../core';

export interface Health {
  /** Liveness: the server answers. */
  ok: true;
  /** Readiness (same as /api/health/ready): NATS connected with JetStream. */
  ready: boolean;
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
    ready: connected && (info?.jetstream ?? false),
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

export interface Readiness {
  /** True when NATS is connected with JetStream: the API can do its work. */
  ready: boolean;
  reason?: string;
  nats: Health['nats'];
}

/** `GET /api/health/ready`: honest about NATS (answered with 503 when not ready). */
export function readinessOf(core: Core): Readiness {
  const { nats } = healthOf(core);
  if (!nats.connected) {
    const st = core.connections.status();
    return { ready: false, reason: `NATS is ${st.state}${st.reason ? `: ${st.reason}` : ''}`, nats };
  }
  if (!nats.jetstream) return { ready: false, reason: 'the NATS server has JetStream disabled', nats };
  return { ready: true, nats };
}
