import { createClient, type JetDeckClient, type Transport } from '../api/client';
import type { PreloadApi } from '../api/preload-api';
import { takePageToken } from './transport/page-token';
import { createWsTransport } from './transport/ws-transport';

/** The Electron preload exposes a Transport as `window.jetdeck`; check its shape before trusting it. */
function preloadTransport(): Transport | undefined {
  const candidate: Partial<PreloadApi> | undefined = window.jetdeck;
  if (candidate && typeof candidate.request === 'function' && typeof candidate.onEvent === 'function') {
    return candidate as PreloadApi;
  }
  return undefined;
}

function wsUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws`;
}

const preload = preloadTransport();
/** The serve token this page was opened with (browser only; Electron needs none). */
export const pageToken: string | undefined = preload ? undefined : takePageToken();

const ws = preload ? undefined : createWsTransport(wsUrl(), { token: pageToken });

/** The one typed client: components call `api.call(...)` and never know which transport carries it. */
export const api: JetDeckClient = createClient(preload ?? ws!);

/**
 * Runs `fn` each time the WebSocket opens again after a drop. What a client started on the server
 * (live tails) ended with its old socket, so views that own such things start them again. The
 * Electron transport never drops, so this never fires there.
 */
export function onTransportReopen(fn: () => void): () => void {
  if (!ws) return () => {};
  let wasClosed = false;
  return ws.onState((state) => {
    if (state === 'closed') wasClosed = true;
    else if (wasClosed) {
      wasClosed = false;
      fn();
    }
  });
}
