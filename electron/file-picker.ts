import { BrowserWindow, dialog } from 'electron';
import type { HostFolder } from '../api/features/files';
import type { AppCore } from '../core/features';

const FILTERS: Record<HostFolder, Electron.FileFilter[]> = {
  handlers: [{ name: 'Handler modules', extensions: ['js', 'mjs', 'cjs'] }],
  imports: [{ name: 'JSON Lines', extensions: ['jsonl', 'ndjson', 'json', 'txt'] }],
  exports: [{ name: 'JSON Lines', extensions: ['jsonl'] }],
};

/**
 * `files.pick` in the desktop app: a native dialog, so the file is one the user chose on
 * their own screen; the renderer only ever learns the name the core gives it.
 */
export function installFilePicker(core: AppCore): void {
  core.features.files.picker = async (folder) => {
    const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
    if (folder === 'exports') {
      const r = win
        ? await dialog.showSaveDialog(win, { filters: FILTERS.exports })
        : await dialog.showSaveDialog({ filters: FILTERS.exports });
      return r.canceled ? undefined : r.filePath;
    }
    const opts: Electron.OpenDialogOptions = { properties: ['openFile'], filters: FILTERS[folder] };
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    return r.canceled ? undefined : r.filePaths[0];
  };
}
