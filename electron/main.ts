import { join } from 'node:path';
import { app, BrowserWindow, screen } from 'electron';
import { autoConnect, createCore } from '../core/backend';
import type { AppCore } from '../core/features';
import { registerAppScheme, serveRendererFrom } from './app-protocol';
import { APP_ENTRY_URL } from './app-url';
import { installFilePicker } from './file-picker';
import { registerIpcTransport } from './ipc-transport';
import { launchOptionsFromEnv, type LaunchOptions } from './launch-options';
import { installAppMenu } from './menu';
import { metricsPortFromEnv, serveDesktopMetrics } from './metrics-port';
import { notifyMonitorAlerts } from './notifications';
import { SafeStorageCipher } from './safe-storage-cipher';
import { hardenApp } from './security';
import { DEFAULT_SIZE, loadWindowState, restorableState, saveWindowState } from './window-state';

/** Upper bound for stopping connections and the embedded nats-server on quit. */
const DISPOSE_TIMEOUT_MS = 10_000;

let core: AppCore | undefined;
let mainWindow: BrowserWindow | undefined;
let quitting: 'no' | 'disposing' | 'done' = 'no';

function start(): void {
  let launch: LaunchOptions;
  let metricsPort: number | undefined;
  try {
    launch = launchOptionsFromEnv(process.env);
    metricsPort = metricsPortFromEnv(process.env);
  } catch (err) {
    console.error(`[jetdeck] ${(err as Error).message}`);
    app.exit(2);
    return;
  }
  // Before `ready` and before the single-instance lock, which is keyed on userData.
  if (launch.dataDir) app.setPath('userData', launch.dataDir);
  registerAppScheme();

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => focusWindow());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('before-quit', (event) => {
    if (quitting === 'done' || !core) return;
    event.preventDefault();
    if (quitting === 'disposing') return;
    quitting = 'disposing';
    void disposeCore().finally(() => {
      quitting = 'done';
      app.quit();
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());

  app
    .whenReady()
    .then(() => onReady(launch, metricsPort))
    .catch((err: Error) => {
      console.error('[jetdeck] failed to start:', err);
      app.exit(1);
    });
}

async function onReady(launch: LaunchOptions, metricsPort: number | undefined): Promise<void> {
  // Windows shows notifications only for apps with an AppUserModelID matching the installer's.
  if (process.platform === 'win32') app.setAppUserModelId('dev.jetdeck.app');
  hardenApp();
  serveRendererFrom(join(import.meta.dirname, '../renderer'));
  const dataDir = app.getPath('userData');
  core = createCore({
    dataDir,
    mode: 'electron',
    cipher: new SafeStorageCipher(dataDir),
  });
  registerIpcTransport(core);
  installFilePicker(core);
  notifyMonitorAlerts(core.bus, focusWindow);
  if (metricsPort !== undefined) startMetricsPort(core, metricsPort);
  installAppMenu(() => mainWindow);
  createWindow();
  // Connection failures surface as connection status in the UI; never block the window on them.
  await autoConnect(core, { natsUrl: launch.natsUrl });
}

/** Optional /metrics on loopback; a busy port is reported, never fatal to the app. */
function startMetricsPort(c: AppCore, port: number): void {
  serveDesktopMetrics(c, port).then(
    (srv) => console.log(`[jetdeck] Prometheus metrics at ${srv.url}`),
    (err: unknown) =>
      console.error(`[jetdeck] JETDECK_METRICS_PORT ${port}: could not listen: ${(err as Error).message}`),
  );
}

function createWindow(): void {
  const stateDir = app.getPath('userData');
  const saved = restorableState(
    loadWindowState(stateDir),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(saved ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : DEFAULT_SIZE),
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'JetDeck',
    backgroundColor: '#111418',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  });
  mainWindow = win;
  if (saved?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => {
    const bounds = win.getNormalBounds();
    try {
      saveWindowState(stateDir, { ...bounds, maximized: win.isMaximized() });
    } catch (err) {
      console.warn('[jetdeck] could not save window state:', (err as Error).message);
    }
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = undefined;
  });
  void win.loadURL(APP_ENTRY_URL);
}

function focusWindow(): void {
  const win = mainWindow;
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

async function disposeCore(): Promise<void> {
  const current = core;
  if (!current) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error('[jetdeck] shutdown timed out; exiting anyway');
      resolve();
    }, DISPOSE_TIMEOUT_MS);
  });
  try {
    await Promise.race([current.dispose(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

start();
