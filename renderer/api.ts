import { createClient, type JetDeckClient, type Transport } from '../api/client';
import type { PreloadApi } from '../api/preload-api';
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

/** The one typed client: components call `api.call(...)` and never know which transport carries it. */
export const api: JetDeckClient = createClient(preloadTransport() ?? createWsTransport(wsUrl()));
