import { constants, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  HOST_FILE_NAME_RE,
  HOST_FOLDERS,
  type HostFile,
  type HostFolder,
  type HostFolderListing,
} from '../../api/features/files';
import { ApiError } from '../../api/errors';

const MAX_LISTED = 1000;

interface Allowed {
  folder: HostFolder;
  path: string;
  source: 'cli' | 'picked';
}

/**
 * The only way API callers reach files on this machine: a name inside `<data>/<folder>` (no
 * separators, no symlinks, checked again after resolving), a module the user gave with
 * `--handlers`, or a file the user picked in the desktop app. Errors name the file, never
 * quote its content.
 */
export class HostFiles {
  private readonly allowed = new Map<string, Allowed>();
  private picks = 0;
  /**
   * A native file dialog, set by the Electron shell (plain Node has no screen): resolves to the
   * absolute path the user chose, or undefined when cancelled.
   */
  picker?: (folder: HostFolder) => Promise<string | undefined>;

  constructor(private readonly dataDir: string) {
    // Made up front so the user finds them where files.list says they are.
    for (const f of HOST_FOLDERS) mkdirSync(this.folderPath(f), { recursive: true, mode: 0o700 });
  }

  folderPath(folder: HostFolder): string {
    return join(this.dataDir, folder);
  }

  /** A user-chosen file (command line or file dialog) made usable under a stable name. */
  allow(folder: HostFolder, path: string, source: Allowed['source']): string {
    for (const [name, a] of this.allowed) if (a.folder === folder && a.path === path) return name;
    const base = safeBase(basename(path));
    const name = source === 'cli' ? `cli:${base}` : `picked:${++this.picks}:${base}`;
    this.allowed.set(name, { folder, path, source });
    return name;
  }

  async list(folder: HostFolder): Promise<HostFolderListing> {
    const dir = await this.ensureFolder(folder);
    const files: HostFile[] = [];
    for (const [name, a] of this.allowed) {
      if (a.folder !== folder) continue;
      const st = await lstat(a.path).catch(() => undefined);
      files.push({
        name,
        size: st?.size ?? 0,
        modifiedAt: new Date(st?.mtimeMs ?? 0).toISOString(),
        source: a.source,
      });
    }
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (files.length >= MAX_LISTED) break;
      if (!e.isFile() || !HOST_FILE_NAME_RE.test(e.name)) continue;
      const st = await lstat(join(dir, e.name)).catch(() => undefined);
      if (!st?.isFile()) continue;
      files.push({
        name: e.name,
        size: st.size,
        modifiedAt: new Date(st.mtimeMs).toISOString(),
        source: 'folder',
      });
    }
    files.sort(
      (a, b) =>
        (a.source === 'folder' ? 1 : 0) - (b.source === 'folder' ? 1 : 0) ||
        b.modifiedAt.localeCompare(a.modifiedAt),
    );
    return { folder, path: dir, files, canPick: this.picker !== undefined };
  }

  /** The path of an existing regular file the name stands for. */
  async resolveRead(folder: HostFolder, name: string): Promise<string> {
    const a = this.allowedEntry(folder, name);
    if (a) return a.path;
    const { dir, path } = await this.inFolder(folder, name);
    const st = await lstat(path).catch(() => undefined);
    if (!st) throw new ApiError('not_found', `no file ${name} in ${dir}`);
    if (st.isSymbolicLink())
      throw new ApiError('invalid_input', `${name} in ${dir} is a symbolic link; copy the file itself there`);
    if (!st.isFile()) throw new ApiError('invalid_input', `${name} in ${dir} is not a regular file`);
    return path;
  }

  /** Opens the file a name stands for to (over)write it; a symbolic link there is refused. */
  async openWrite(folder: HostFolder, name: string): Promise<{ path: string; out: WriteStream }> {
    const a = this.allowedEntry(folder, name);
    let path: string;
    if (a) path = a.path;
    else path = (await this.inFolder(folder, name)).path;
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
    const fh = await open(path, flags, 0o600).catch((err: NodeJS.ErrnoException) => {
      throw new ApiError(
        'invalid_input',
        err.code === 'ELOOP'
          ? `${name} is a symbolic link; pick another name`
          : `cannot write ${name} (${err.code ?? 'error'})`,
      );
    });
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new ApiError('invalid_input', `${name} is not a regular file`);
    }
    // The stream owns the FileHandle itself: given only the raw fd, the handle would later try to
    // close it again when collected (EBADF).
    return { path, out: createWriteStream('', { fd: fh, autoClose: true }) };
  }

  private allowedEntry(folder: HostFolder, name: string): Allowed | undefined {
    const a = this.allowed.get(name);
    if (a && a.folder === folder) return a;
    if (/^(cli|picked):/.test(name)) throw new ApiError('not_found', `${name} was not chosen for ${folder}`);
    return undefined;
  }

  /** `<data>/<folder>/<name>`, with the name checked and the folder's real location compared. */
  private async inFolder(folder: HostFolder, name: string): Promise<{ dir: string; path: string }> {
    if (!HOST_FILE_NAME_RE.test(name) || name.includes('..') || name.includes('/') || name.includes('\\'))
      throw new ApiError('invalid_input', `${JSON.stringify(name)} is not a file name`);
    const dir = await this.ensureFolder(folder);
    const path = join(dir, name);
    const real = await realpath(join(path, '..'));
    if (real !== (await realpath(dir))) throw new ApiError('invalid_input', `${name} is outside ${dir}`);
    return { dir, path };
  }

  private async ensureFolder(folder: HostFolder): Promise<string> {
    const dir = this.folderPath(folder);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }
}

/** A name the file-name rule accepts, from whatever the picked file is called. */
function safeBase(name: string): string {
  const s = name
    .replace(/[^A-Za-z0-9 _.()+=,@-]/g, '_')
    .replace(/^[^A-Za-z0-9_]+/, '')
    .replace(/\.\.+/g, '.');
  return (s || 'file').slice(0, 200);
}
