import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronBinaryPath, FUSES, fusesNotSet } from '../../scripts/after-pack-fuses.mjs';

const wireByte = { off: 48, on: 49, removed: 114 };

describe('after-pack fuses', () => {
  it('asks for exactly the hardened fuse set', () => {
    // Indices from @electron/fuses FuseV1Options.
    expect(FUSES).toEqual({ 0: false, 1: true, 2: false, 3: false, 4: true, 5: true, 7: false });
  });

  it('detects fuses that did not stick and ignores removed ones', () => {
    const good = {
      0: wireByte.off,
      1: wireByte.on,
      2: wireByte.off,
      3: wireByte.off,
      4: wireByte.on,
      5: wireByte.on,
      6: wireByte.off,
      7: wireByte.off,
    };
    expect(fusesNotSet(good)).toEqual([]);
    expect(fusesNotSet({ ...good, 0: wireByte.on, 5: wireByte.off })).toEqual([
      'RunAsNode',
      'OnlyLoadAppFromAsar',
    ]);
    expect(fusesNotSet({ ...good, 7: wireByte.removed })).toEqual([]);
  });

  it('finds the Electron executable for each platform', () => {
    const packager = { appInfo: { productFilename: 'JetDeck' }, executableName: 'jetdeck' };
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'linux', packager })).toBe(
      join('/o', 'jetdeck'),
    );
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'darwin', packager })).toBe(
      join('/o', 'JetDeck.app'),
    );
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'win32', packager })).toBe(
      join('/o', 'JetDeck.exe'),
    );
  });
});
