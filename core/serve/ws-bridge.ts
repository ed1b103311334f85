import type { WebSocket } from 'ws';
import type { CallResult } from '../../api/client';
import { ApiError } from '../../api/errors';
import { clientCallSchema, type EventFrame, type ServerReply } from '../../api/ws-protocol';
import type { Core } from '../core';
import { formatZodError } from '../errors';

/**
 * Bridges browser sockets to the core: each frame is one router call answered with the same
 * id, and every bus event goes to every socket. A socket that stops reading is not allowed to
 * make the server buffer without bound: while more than `maxBufferedBytes` wait in its send
 * buffer it misses events (counted), and if it stays that far behind for `stallMs` it is
 * closed, so its client reconnects and reloads state instead of showing a silently stale view.
 */

export interface WsBridgeOptions {
  maxBufferedBytes?: number;
  stallMs?: number;
}
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
export const DEFAULT_STALL_MS = 5_000;
const PING_INTERVAL_MS = 30_000;
/** 1013 "try again later": the client's reconnect logic treats it like any drop. */
const CLOSE_TOO_SLOW = 1013;

export interface WsBridge {
  attach(socket: WebSocket): void;
  readonly socketCount: number;
  /** Events skipped because a socket's send buffer was full. */
  readonly droppedEvents: number;
  close(): void;
}

export function createWsBridge(core: Core, opts: WsBridgeOptions = {}): WsBridge {
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const sockets = new Set<WebSocket>();
  const alive = new WeakSet<WebSocket>();
  /** When each lagging socket first went over the limit. */
  const lagSince = new WeakMap<WebSocket, number>();
  let droppedEvents = 0;

  const unsubscribe = core.bus.onAny((topic, payload) => {
    if (sockets.size === 0) return;
    const frame: EventFrame = { event: topic, payload };
    let text: string;
    try {
      text = JSON.stringify(frame);
    } catch (err) {
      console.error(`[jetdeck] event ${topic} is not serializable:`, (err as Error).message);
      return;
    }
    for (const s of sockets) {
      if (s.readyState !== s.OPEN) continue;
      if (s.bufferedAmount <= maxBuffered) {
        lagSince.delete(s);
        s.send(text);
        continue;
      }
      droppedEvents++;
      const since = lagSince.get(s);
      if (since === undefined) lagSince.set(s, Date.now());
      else if (Date.now() - since > stallMs) {
        sockets.delete(s);
        s.close(CLOSE_TOO_SLOW, 'client too slow: events were dropped');
      }
    }
  });

  // Drops sockets whose peer vanished without a close frame (sleeping laptop, killed tab).
  const pinger = setInterval(() => {
    for (const s of sockets) {
      if (!alive.has(s)) {
        s.terminate();
        continue;
      }
      alive.delete(s);
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
    socket.send(text);
  }

  function rejectFrame(socket: WebSocket, id: number | null, message: string, detail?: unknown): void {
    reply(socket, id, { ok: false, error: new ApiError('invalid_input', message, detail).toEnvelope() });
  }

  async function onFrame(
    socket: WebSocket,
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
    reply(socket, id, await core.router.dispatch(method, input, { transport: 'ws' }));
  }

  return {
    attach(socket) {
      sockets.add(socket);
      alive.add(socket);
      socket.on('pong', () => alive.add(socket));
      socket.on('message', (data, isBinary) => {
        onFrame(socket, data, isBinary).catch((err: unknown) => {
          console.error('[jetdeck] websocket frame failed:', err);
        });
      });
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => sockets.delete(socket));
    },
    get socketCount() {
      return sockets.size;
    },
    get droppedEvents() {
      return droppedEvents;
    },
    close() {
      unsubscribe();
      clearInterval(pinger);
      for (const s of sockets) s.close(1001, 'server shutting down');
      sockets.clear();
    },
  };
}

/** The id of a frame that failed validation, when it has a usable one (so the caller's promise settles). */
function readableId(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : null;
}
