import type { Transport } from './client';

/**
 * What the Electron preload exposes as `window.jetdeck`: exactly the Transport of the typed
 * client (no transport state: IPC cannot drop), and nothing else.
 */
export interface PreloadApi extends Omit<Transport, 'onState' | 'kind'> {
  readonly kind: 'ipc';
}

declare global {
  interface Window {
    /** Present only inside the Electron app; absent in the browser (`jetdeck serve`). */
    jetdeck?: PreloadApi;
  }
}
