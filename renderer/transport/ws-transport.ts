import type { CallResult, Transport } from '../../api/client';
import type { ErrorEnvelope } from '../../api/errors';
import {
  WS_PATH,
  WS_SUBPROTOCOL,
  authSubprotocol,
  serverFrameSchema,
  type ClientCall,
} from '../../api/ws-protocol';

/**
 * Browser transport for `jetdeck serve`: one WebSocket, calls matched to replies by id,
 * events fanned out to listeners. When the socket drops, calls already sent fail with an
 * `unreachable` envelope (their outcome is unknown), calls made while closed wait for the
 * next open, and the socket reconnects with capped exponential backoff.
 */

/**
 * The slice of the browser WebSocket API this transport uses, spelled out so the module also
 * typechecks (and runs in tests) under Node with the `ws` package.
 */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: never) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: never) => void) | null;
  onerror: ((ev: never) => void) | null;
}
export type SocketConstructor = new (url: string, protocols?: string[]) => SocketLike;
const OPEN = 1;

export interface WsTransportOptions {
  /** How long a call may wait for the socket to (re)open before failing. */
  queueTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Injected for tests; defaults to the browser's WebSocket. */
  WebSocketImpl?: SocketConstructor;
  /** The serve token, offered as a subprotocol (browsers cannot set headers on a WebSocket). */
  token?: string;
}

export type WsState = 'connecting' | 'open' | 'closed';

export interface WsTransport extends Transport {
  readonly kind: 'ws';
  readonly state: WsState;
  onState(listener: (state: 'open' | 'closed') => void): () => void;
  /** Closes the socket for good: no more reconnects, waiting calls fail. */
  close(): void;
}

interface Waiting {
  frame: string;
  resolve: (r: CallResult) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** `ws://host/ws` (or wss) for the page this script was loaded from. */
export function defaultWsUrl(): string {
  const { protocol, host } = (globalThis as unknown as { location: { protocol: string; host: string } })
    .location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${WS_PATH}`;
}

function unreachable(message: string): CallResult {
  const error: ErrorEnvelope = { name: 'ApiError', code: 'unreachable', message };
  return { ok: false, error };
}

export function createWsTransport(url: string = defaultWsUrl(), opts: WsTransportOptions = {}): WsTransport {
  const found = opts.WebSocketImpl ?? (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
  if (!found) throw new Error('createWsTransport: no WebSocket implementation available');
  const WS: SocketConstructor = found;
  const queueTimeoutMs = opts.queueTimeoutMs ?? 15_000;
  const minBackoff = opts.minBackoffMs ?? 250;
  const maxBackoff = opts.maxBackoffMs ?? 5_000;
  const protocols = opts.token ? [WS_SUBPROTOCOL, authSubprotocol(opts.token)] : undefined;

  const eventListeners = new Set<(topic: string, payload: unknown) => void>();
  const stateListeners = new Set<(state: 'open' | 'closed') => void>();
  /** Sent, awaiting a reply. */
  const inFlight = new Map<number, (r: CallResult) => void>();
  /** Not yet sent: waiting for the socket to open. */
  const waiting = new Map<number, Waiting>();

  let nextId = 1;
  let socket: SocketLike | undefined;
  let state: WsState = 'connecting';
  let backoff = minBackoff;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let closedForGood = false;

  function setState(next: WsState): void {
    if (next === state) return;
    state = next;
    if (next !== 'connecting') stateListeners.forEach((l) => l(next));
  }

  function open(): void {
    reconnectTimer = undefined;
    if (closedForGood) return;
    setState('connecting');
    const ws = new WS(url, protocols);
    socket = ws;
    ws.onopen = () => {
      backoff = minBackoff;
      setState('open');
      for (const [id, w] of waiting) {
        clearTimeout(w.timer);
        waiting.delete(id);
        inFlight.set(id, w.resolve);
        ws.send(w.frame);
      }
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') onFrame(ev.data);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      failInFlight('the connection to the JetDeck server was lost before it replied');
      setState('closed');
      scheduleReconnect();
    };
    // An error is always followed by close; nothing to do here.
    ws.onerror = () => {};
  }

  function scheduleReconnect(): void {
    if (closedForGood || reconnectTimer) return;
    const delay = Math.round(backoff * (0.75 + Math.random() * 0.5));
    backoff = Math.min(backoff * 2, maxBackoff);
    reconnectTimer = setTimeout(open, delay);
  }

  function failInFlight(message: string): void {
    for (const [id, resolve] of inFlight) {
      inFlight.delete(id);
      resolve(unreachable(message));
    }
  }

  function onFrame(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      console.warn('[jetdeck] ignoring a non-JSON frame from the server');
      return;
    }
    const parsed = serverFrameSchema.safeParse(raw);
    if (!parsed.success) {
      console.warn('[jetdeck] ignoring a malformed frame from the server', parsed.error.issues);
      return;
    }
    const frame = parsed.data;
    if ('event' in frame) {
      eventListeners.forEach((l) => l(frame.event, frame.payload));
      return;
    }
    if (frame.id === null) {
      console.warn('[jetdeck] server rejected a frame:', frame.ok ? frame.result : frame.error.message);
      return;
    }
    const resolve = inFlight.get(frame.id);
    if (!resolve) return;
    inFlight.delete(frame.id);
    resolve(frame.ok ? { ok: true, result: frame.result } : { ok: false, error: frame.error });
  }

  open();

  return {
    kind: 'ws',
    get state() {
      return state;
    },
    request(method, input) {
      if (closedForGood) return Promise.resolve(unreachable('the transport was closed'));
      const id = nextId++;
      const call: ClientCall = { id, method, input };
      const frame = JSON.stringify(call);
      return new Promise<CallResult>((resolve) => {
        if (socket && socket.readyState === OPEN) {
          inFlight.set(id, resolve);
          socket.send(frame);
          return;
        }
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolve(unreachable(`the JetDeck server at ${url} is unreachable`));
        }, queueTimeoutMs);
        waiting.set(id, { frame, resolve, timer });
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closedForGood = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      const ws = socket;
      socket = undefined;
      ws?.close(1000, 'client closed');
      failInFlight('the transport was closed');
      for (const [id, w] of waiting) {
        clearTimeout(w.timer);
        waiting.delete(id);
        w.resolve(unreachable('the transport was closed'));
      }
      setState('closed');
    },
  };
}
