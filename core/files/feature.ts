import type { filesMethods } from '../../api/features/files';
import { ApiError } from '../../api/errors';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import type { HostFiles } from './host-files';

/** `files.list` everywhere; `files.pick` only where the shell gave HostFiles a picker (Electron). */
export function registerFiles(core: Core, files: HostFiles): void {
  const handlers: HandlersFor<typeof filesMethods> = {
    'files.list': ({ folder }) => files.list(folder),
    'files.pick': async ({ folder }) => {
      if (!files.picker) {
        throw new ApiError(
          'unsupported',
          `no file dialog here: put the file into ${files.folderPath(folder)} on the server`,
        );
      }
      const path = await files.picker(folder);
      return path === undefined ? {} : { name: files.allow(folder, path, 'picked') };
    },
  };
  core.router.register(handlers);
}
