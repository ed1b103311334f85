import { z } from 'zod';
import { method } from '../define';

/**
 * Files on the machine running the core. The API never takes a path: handler modules, import
 * sources and export targets are named by a file name inside a folder the user controls on
 * that machine (`<data>/handlers`, `<data>/imports`, `<data>/exports`), by the module given
 * with `--handlers` on the command line (`cli:<name>`), or by a file the user picked in the
 * desktop app's file dialog (`picked:<n>:<name>`). So the token drives NATS; it cannot load
 * code or read and write files elsewhere.
 */

export const HOST_FOLDERS = ['handlers', 'imports', 'exports'] as const;
export type HostFolder = (typeof HOST_FOLDERS)[number];

const BASE = '[A-Za-z0-9_][A-Za-z0-9 _.()+=,@-]{0,199}';
export const HOST_FILE_NAME_RE = new RegExp(`^(?:(?:cli|picked:\\d{1,6}):)?${BASE}$`);

/** A file name inside one of the folders, or a `cli:` / `picked:` reference: never a path. */
export const hostFileNameSchema = z
  .string()
  .max(220)
  .regex(HOST_FILE_NAME_RE, 'a file name inside the folder (letters, digits, space and _ . ( ) + = , @ -)')
  .refine((s) => !s.split(':').pop()!.includes('..'), 'a file name, not a path');

export interface HostFile {
  name: string;
  size: number;
  /** ISO time of the last change. */
  modifiedAt: string;
  /** In the folder, given with --handlers, or picked in the desktop app's file dialog. */
  source: 'folder' | 'cli' | 'picked';
}

export interface HostFolderListing {
  folder: HostFolder;
  /** Where the folder is on the machine running JetDeck (to tell the user where to put files). */
  path: string;
  files: HostFile[];
  /** True in the desktop app: `files.pick` opens a file dialog. */
  canPick: boolean;
}

const folderInput = z.strictObject({ folder: z.enum(HOST_FOLDERS) });

export const filesMethods = {
  /** The files JetDeck may use for one purpose (at most 1,000, newest first). */
  'files.list': method(folderInput).returns<HostFolderListing>(),
  /**
   * Desktop app only: a native open (or, for exports, save) dialog on the user's screen; the
   * chosen file becomes usable under the returned name. `name` is absent when cancelled.
   */
  'files.pick': method(folderInput).returns<{ name?: string }>(),
};
