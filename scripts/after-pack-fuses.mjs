// electron-builder afterPack hook: flips Electron fuses in the packaged binary, then reads them
// back and fails the build if any did not stick. afterPack runs before code signing, which is
// required: flipping fuses changes the binary, so it must happen before the signature is made.
import path from 'node:path';
import fuses from '@electron/fuses';

const { flipFuses, getCurrentFuseWire, FuseV1Options, FuseVersion } = fuses;

/** Byte values on the fuse wire (@electron/fuses keeps FuseState internal). */
const WIRE = { DISABLE: 48, ENABLE: 49, REMOVED: 114 };

/** The fuses we want; everything not listed keeps Electron's default. */
export const FUSES = {
  [FuseV1Options.RunAsNode]: false, // ELECTRON_RUN_AS_NODE must not turn the app into a plain node
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false, // no NODE_OPTIONS code injection
  [FuseV1Options.EnableNodeCliInspectArguments]: false, // no --inspect into the main process
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true, // macOS + Windows; ignored on Linux
  [FuseV1Options.OnlyLoadAppFromAsar]: true, // only the (integrity-checked) app.asar is loaded
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false, // the UI is served from app://, not file://
};

/** Names of the fuses whose byte on `wire` differs from FUSES (removed fuses are ignored). */
export function fusesNotSet(wire) {
  return Object.entries(FUSES)
    .filter(
      ([index, on]) => wire[index] !== WIRE.REMOVED && wire[index] !== (on ? WIRE.ENABLE : WIRE.DISABLE),
    )
    .map(([index]) => FuseV1Options[index]);
}

/** Path of the Electron executable inside the packed app, per platform. */
export function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    default:
      return path.join(appOutDir, packager.executableName);
  }
}

const ARM64 = 3; // builder-util Arch.arm64

export default async function afterPack(context) {
  const binary = electronBinaryPath(context);
  await flipFuses(binary, {
    version: FuseVersion.V1,
    // Unsigned Apple-silicon builds need their ad-hoc signature redone after the binary changes.
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === ARM64,
    ...FUSES,
  });
  const wrong = fusesNotSet(await getCurrentFuseWire(binary));
  if (wrong.length > 0) throw new Error(`after-pack-fuses: not set in ${binary}: ${wrong.join(', ')}`);
  const summary = Object.entries(FUSES).map(([i, on]) => `${FuseV1Options[i]}=${on ? 'on' : 'off'}`);
  console.log(`  • fuses set on ${path.basename(binary)}: ${summary.join(' ')}`);
}
