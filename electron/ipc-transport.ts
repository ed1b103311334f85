import { BrowserWindow, ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { CallResult } from '../api/client';
import { ClientScope } from '../core/clients/client-scope';
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
  // One ClientScope per window's page: what it starts (live tails) ends when the window closes,
  // its renderer crashes or it loads a new page (a reload starts a fresh UI that knows nothing
  // of the old tails).
  const scopes = new Map<WebContents, ClientScope>();
  const scopeFor = (contents: WebContents): ClientScope => {
    let scope = scopes.get(contents);
    if (scope) return scope;
    scope = new ClientScope(`window ${contents.id}`);
    scopes.set(contents, scope);
    const end = () => {
      if (scopes.get(contents) !== scope) return;
      scopes.delete(contents);
      scope.close();
      contents.off('did-navigate', end);
      contents.off('render-process-gone', end);
    };
    contents.on('did-navigate', end);
    contents.on('render-process-gone', end);
    contents.once('destroyed', end);
    return scope;
  };

  ipcMain.handle(IPC_CALL_CHANNEL, (event, ...args: unknown[]): Promise<CallResult> => {
    const refusal = senderRefusal(event);
    return dispatchIpcCall(core.router, refusal, args, refusal ? {} : { client: scopeFor(event.sender) });
  });

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
    for (const scope of scopes.values()) scope.close();
    scopes.clear();
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
