import { api, pageToken } from '../api';
import { tokenProblem } from '../transport/page-token';
import { useConnections } from '../features/connections/store';
import { useApp } from './app-store';

let wired = false;

/** Subscribes stores to core events once; they hold what the core pushes, nothing more. */
function wireEvents(): void {
  if (wired) return;
  wired = true;
  const c = useConnections.getState();
  api.on('connection.status', c.setStatus);
  api.on('connections.changed', c.setProfiles);
  api.on('connections.open', c.setOpen);
  api.on('localServer.status', c.setLocal);
  api.on('localServer.log', ({ lines }) => useConnections.getState().appendLog(lines));
  api.onTransportState((state) => {
    const was = useApp.getState().transport;
    useApp.setState({ transport: state });
    // Events sent while the link was down are lost: re-read the state when it comes back.
    if (state === 'open' && was === 'closed') void loadState().catch(() => {});
  });
}

async function loadState(): Promise<void> {
  const c = useConnections.getState();
  const [list, status] = await Promise.all([api.call('connections.list'), api.call('connections.status')]);
  c.setProfiles(list);
  c.setStatus(status);
  // Optional extras: the app still works if these fail.
  const [info, local, open] = await Promise.allSettled([
    api.call('app.info'),
    api.call('localServer.status'),
    api.call('connections.open'),
  ]);
  if (info.status === 'fulfilled') useApp.setState({ info: info.value });
  if (local.status === 'fulfilled') c.setLocal(local.value);
  if (open.status === 'fulfilled') c.setOpen(open.value);
}

/** First load; sets body[data-app-state] so e2e and the Electron specs know when the UI is usable. */
export async function bootstrap(): Promise<void> {
  wireEvents();
  useApp.setState({ phase: 'loading', bootError: undefined });
  document.body.dataset.appState = 'loading';
  try {
    if (api.transport === 'ws') {
      const problem = await tokenProblem(pageToken);
      if (problem) throw new Error(problem);
    }
    await loadState();
    useApp.setState({ phase: 'ready' });
    document.body.dataset.appState = 'ready';
  } catch (err) {
    useApp.setState({ phase: 'failed', bootError: (err as Error).message });
    document.body.dataset.appState = 'error';
  }
}
