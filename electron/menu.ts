import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

/**
 * The application menu. Reload and devtools exist only in unpackaged (development) runs, so a
 * shipped app never opens devtools on a keystroke.
 */
export function installAppMenu(getWindow: () => BrowserWindow | undefined): void {
  const isMac = process.platform === 'darwin';
  const dev = !app.isPackaged;
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(dev
          ? ([
              { role: 'reload' },
              { role: 'forceReload' },
              { role: 'toggleDevTools' },
              { type: 'separator' },
            ] as const)
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'About JetDeck', click: () => void showAbout(getWindow()) }],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function showAbout(win: BrowserWindow | undefined): Promise<void> {
  const detail = [
    `Version ${app.getVersion()}`,
    `Electron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}`,
    'A desktop app for NATS JetStream task queues.',
  ].join('\n');
  const options = {
    type: 'info' as const,
    title: 'About JetDeck',
    message: 'JetDeck',
    detail,
    buttons: ['OK'],
  };
  await (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
}
