import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CallResult } from '../api/client';
import type { PreloadApi } from '../api/preload-api';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from './channels';

/**
 * Sandboxed preload: exposes exactly the Transport the typed client needs, never ipcRenderer.
 * Bundled to a single CJS file because sandboxed preloads can neither require local files nor
 * be ES modules.
 */
const api: PreloadApi = {
  kind: 'ipc',
  request(method: string, input: unknown): Promise<CallResult> {
    return ipcRenderer.invoke(IPC_CALL_CHANNEL, String(method), input) as Promise<CallResult>;
  },
  onEvent(listener: (topic: string, payload: unknown) => void): () => void {
    const handler = (_event: IpcRendererEvent, topic: unknown, payload: unknown) => {
      if (typeof topic === 'string') listener(topic, payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('jetdeck', api);
