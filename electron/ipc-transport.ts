import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { CallResult } from '../api/client';
import type { Core } from '../core/core';
import { isAppUrl } from './app-url';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from './channels';
import { dispatchIpcCall } from './ipc-dispatch';

/**
 * The Electron side of the one contract: a single invoke channel into the router and a single
 * event channel out of the bus. Only the main frame of one of our windows, showing our own
 * `app://jetdeck/` UI, may call; anything else (an iframe, a navigated-away page) is refused.
 */
export function registerIpcTransport(core: Core): () => void {
  ipcMain.handle(IPC_CALL_CHANNEL, (event, ...args: unknown[]): Promise<CallResult> =>
    dispatchIpcCall(core.router, senderRefusal(event), args),
  );

  const offBus = core.bus.onAny((topic, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      const contents = win.webContents;
      if (contents.isDestroyed() || !isAppUrl(contents.getURL())) continue;
      contents.send(IPC_EVENT_CHANNEL, topic, payload);
    }
  });

  return () => {
    offBus();
    ipcMain.removeHandler(IPC_CALL_CHANNEL);
  };
}

function senderRefusal(event: IpcMainInvokeEvent): string | undefined {
  const frame = event.senderFrame;
  if (!frame) return 'the calling frame is gone';
  if (!BrowserWindow.fromWebContents(event.sender)) return 'the caller is not a JetDeck window';
  if (frame !== event.sender.mainFrame) return 'only the main frame may call the backend';
  if (!isAppUrl(frame.url)) return `calls from ${frame.origin || 'an unknown origin'} are not allowed`;
  return undefined;
}
