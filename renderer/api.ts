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

/** The one typed client: components call `api.call(...)` and never know which transport carries it. */
export const api: JetDeckClient = createClient(preload ?? createWsTransport(wsUrl(), { token: pageToken }));
