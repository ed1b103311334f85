import type { WebSocket } from 'ws';
import type { CallResult } from '../../api/client';
import { ApiError } from '../../api/errors';
import { clientCallSchema, type EventFrame, type ServerReply } from '../../api/ws-protocol';
import { ClientScope } from '../clients/client-scope';
import type { Core } from '../core';
import { formatZodError } from '../errors';

/**
 * Bridges browser sockets to the core: each frame is one router call answered with the same
 * id, and every bus event goes to every socket. A socket that stops reading is not allowed to
 * make the server buffer without bound:
 * - over `maxBufferedBytes` unread it misses events (counted), and if it stays that far behind
 *   for `stallMs` it is closed (1013), so its client reconnects and reloads state;
 * - replies are never skipped (a caller waits for them), so they are held to a hard cap: once
 *   more than `maxSocketBytes` wait unread, the socket is dropped (4008) instead of sending
 *   more, and destroyed `closeGraceMs` later if it does not read its way to the close frame;
 * - at most `maxInFlight` calls per socket run at once; past that the bridge stops reading the
 *   socket (TCP backpressure) until some finish, so a client cannot queue unbounded work.
 * Each socket is a ClientScope: what it starts (live tails) ends when it closes.
 */

export interface WsBridgeOptions {
  maxBufferedBytes?: number;
  stallMs?: number;
  maxSocketBytes?: number;
  maxInFlight?: number;
  closeGraceMs?: number;
}
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
export const DEFAULT_STALL_MS = 5_000;
export const DEFAULT_MAX_SOCKET_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_IN_FLIGHT = 32;
export const DEFAULT_CLOSE_GRACE_MS = 5_000;
const PING_INTERVAL_MS = 30_000;
/** 1013 "try again later": the client's reconnect logic treats it like any drop. */
const CLOSE_TOO_SLOW = 1013;
/** Application code: the client left more than the per-socket cap unread. */
export const CLOSE_OVER_CAP = 4008;

export interface WsBridge {
  /** `label` names the peer in log lines (e.g. its address). */
  attach(socket: WebSocket, label?: string): void;
  readonly socketCount: number;
  /** Events skipped because a socket's send buffer was full. */
  readonly droppedEvents: number;
  /** Sockets dropped for leaving too much unread (cap or stall). */
  readonly droppedSockets: number;
  close(): void;
}

export function createWsBridge(core: Core, opts: WsBridgeOptions = {}): WsBridge {
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const maxSocketBytes = Math.max(opts.maxSocketBytes ?? DEFAULT_MAX_SOCKET_BYTES, maxBuffered);
  const maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const closeGraceMs = opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
  const peers = new Map<WebSocket, Peer>();
  let droppedEvents = 0;
  let droppedSockets = 0;

  interface Peer {
    label: string;
    scope: ClientScope;
    alive: boolean;
    inFlight: number;
    /** When it first went over the event limit. */
    lagSince?: number;
  }

  /** Ends a socket that leaves too much unread: close frame now, destroy if it never reads it. */
  function drop(socket: WebSocket, code: number, reason: string): void {
    const peer = peers.get(socket);
    if (!peer) return;
    forget(socket);
    droppedSockets++;
    console.warn(
      `[jetdeck] websocket ${peer.label} dropped (${code}): ${reason}; ${mb(socket.bufferedAmount)} unread`,
    );
    socket.close(code, reason);
    setTimeout(() => {
      if (socket.readyState !== socket.CLOSED) socket.terminate();
    }, closeGraceMs).unref();
  }

  function forget(socket: WebSocket): void {
    const peer = peers.get(socket);
    if (!peer) return;
    peers.delete(socket);
    peer.scope.close();
  }

  /** Sends unless the socket already holds more than the hard cap unread (then drops it). */
  function send(socket: WebSocket, text: string): void {
    if (socket.readyState !== socket.OPEN || !peers.has(socket)) return;
    if (socket.bufferedAmount > maxSocketBytes) {
      drop(socket, CLOSE_OVER_CAP, `client not reading: over the ${mb(maxSocketBytes)} per-socket cap`);
      return;
    }
    socket.send(text);
  }

  const unsubscribe = core.bus.onAny((topic, payload) => {
    if (peers.size === 0) return;
    const frame: EventFrame = { event: topic, payload };
    let text: string;
    try {
      text = JSON.stringify(frame);
    } catch (err) {
      console.error(`[jetdeck] event ${topic} is not serializable:`, (err as Error).message);
      return;
    }
    for (const [s, peer] of peers) {
      if (s.readyState !== s.OPEN) continue;
      if (s.bufferedAmount <= maxBuffered) {
        peer.lagSince = undefined;
        send(s, text);
        continue;
      }
      droppedEvents++;
      if (peer.lagSince === undefined) peer.lagSince = Date.now();
      else if (Date.now() - peer.lagSince > stallMs) {
        drop(s, CLOSE_TOO_SLOW, 'client too slow: events were dropped');
      }
    }
  });

  // Drops sockets whose peer vanished without a close frame (sleeping laptop, killed tab).
  const pinger = setInterval(() => {
    for (const [s, peer] of peers) {
      if (!peer.alive) {
        forget(s);
        s.terminate();
        continue;
      }
      peer.alive = false;
      s.ping();
    }
  }, PING_INTERVAL_MS);
  pinger.unref();

  function reply(socket: WebSocket, id: number | null, result: CallResult): void {
    if (socket.readyState !== socket.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify({ id, ...result } satisfies ServerReply);
    } catch (err) {
      const error = new ApiError(
        'internal',
        `reply is not serializable: ${(err as Error).message}`,
      ).toEnvelope();
      text = JSON.stringify({ id, ok: false, error } satisfies ServerReply);
    }
    send(socket, text);
  }

  function rejectFrame(socket: WebSocket, id: number | null, message: string, detail?: unknown): void {
    reply(socket, id, { ok: false, error: new ApiError('invalid_input', message, detail).toEnvelope() });
  }

  async function onFrame(
    socket: WebSocket,
    peer: Peer,
    data: Buffer | ArrayBuffer | Buffer[],
    isBinary: boolean,
  ): Promise<void> {
    if (isBinary) return rejectFrame(socket, null, 'binary frames are not supported; send JSON text');
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return rejectFrame(socket, null, `frame is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = clientCallSchema.safeParse(raw);
    if (!parsed.success) {
      return rejectFrame(socket, readableId(raw), `malformed call frame: ${formatZodError(parsed.error)}`, {
        expected: '{ id: number, method: string, input?: unknown }',
      });
    }
    const { id, method, input } = parsed.data;
    peer.inFlight++;
    // Stop reading this socket while it has as many calls running as it may.
    if (peer.inFlight >= maxInFlight && !socket.isPaused) socket.pause();
    try {
      reply(socket, id, await core.router.dispatch(method, input, { transport: 'ws', client: peer.scope }));
    } finally {
      peer.inFlight--;
      if (socket.isPaused && peer.inFlight < maxInFlight && peers.has(socket)) socket.resume();
    }
  }

  return {
    attach(socket, label = 'client') {
      const peer: Peer = { label, scope: new ClientScope(`ws ${label}`), alive: true, inFlight: 0 };
      peers.set(socket, peer);
      socket.on('pong', () => (peer.alive = true));
      socket.on('message', (data, isBinary) => {
        onFrame(socket, peer, data, isBinary).catch((err: unknown) => {
          console.error('[jetdeck] websocket frame failed:', err);
        });
      });
      socket.on('close', () => forget(socket));
      socket.on('error', () => forget(socket));
    },
    get socketCount() {
      return peers.size;
    },
    get droppedEvents() {
      return droppedEvents;
    },
    get droppedSockets() {
      return droppedSockets;
    },
    close() {
      unsubscribe();
      clearInterval(pinger);
      for (const s of [...peers.keys()]) {
        forget(s);
        s.close(1001, 'server shutting down');
      }
    },
  };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The id of a frame that failed validation, when it has a usable one (so the caller's promise settles). */
function readableId(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : null;
}
