import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../core/cli/data-dir';
import {
  buildState,
  fallbackLine,
  launchElectron,
  probeElectron,
  REPO_ROOT,
} from '../../core/cli/electron-launch';

/** Electron detection and launch (`jetdeck desktop`, `npm start`), with a stand-in binary. */

const dirs: string[] = [];
function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A shell script standing in for the Electron binary: records its args, cwd and data dir. */
function fakeElectron(exitCode: number): { dir: string; record: string } {
  const dir = temp('jetdeck-fake-electron-');
  const record = join(dir, 'record.txt');
  const bin = join(dir, 'electron');
  writeFileSync(bin, `#!/bin/sh\necho "$@|$(pwd)|$JETDECK_DATA_DIR" > "${record}"\nexit ${exitCode}\n`);
  chmodSync(bin, 0o755);
  return { dir, record };
}

describe.skipIf(process.platform === 'win32')('electron detection', () => {
  it('says why Electron is unusable: binary missing, no display', () => {
    const empty = temp('jetdeck-no-electron-');
    const missing = probeElectron(REPO_ROOT, { ELECTRON_OVERRIDE_DIST_PATH: empty, DISPLAY: ':0' });
    expect(missing).toEqual({
      ok: false,
      reason: expect.stringMatching(/^binary not downloaded: .*electron not found$/),
    });

    const { dir } = fakeElectron(0);
    const headless = probeElectron(REPO_ROOT, { ELECTRON_OVERRIDE_DIST_PATH: dir });
    if (process.platform === 'linux') {
      expect(headless).toEqual({
        ok: false,
        reason: 'no display: neither DISPLAY nor WAYLAND_DISPLAY is set',
      });
    }
    expect(probeElectron(REPO_ROOT, { ELECTRON_OVERRIDE_DIST_PATH: dir, DISPLAY: ':0' })).toEqual({
      ok: true,
      binary: join(dir, 'electron'),
    });

    const noPackage = probeElectron(temp('jetdeck-no-node-modules-'), {});
    expect(noPackage).toEqual({ ok: false, reason: 'package not installed' });

    expect(fallbackLine('package not installed')).toBe(
      "JetDeck: Electron is unavailable (package not installed); starting the browser UI with 'jetdeck serve' instead.",
    );
  });

  it('launches Electron on the app folder with the data dir and returns its exit code', async () => {
    const { dir, record } = fakeElectron(3);
    const root = temp('jetdeck-app-root-');
    const code = await launchElectron(join(dir, 'electron'), { root, dataDir: '/tmp/jetdeck-some-data' });
    expect(code).toBe(3);
    expect(readFileSync(record, 'utf8').trim()).toBe(`${root}|${root}|/tmp/jetdeck-some-data`);
  });

  it('knows when out/ must be (re)built', () => {
    const root = temp('jetdeck-build-state-');
    expect(buildState(root)).toBe('missing');
    mkdirSync(join(root, 'out', 'main'), { recursive: true });
    mkdirSync(join(root, 'out', 'renderer'), { recursive: true });
    mkdirSync(join(root, 'core'), { recursive: true });
    writeFileSync(join(root, 'core', 'a.ts'), '');
    writeFileSync(join(root, 'out', 'main', 'index.js'), '');
    writeFileSync(join(root, 'out', 'renderer', 'index.html'), '');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'core', 'a.ts'), past, past);
    expect(buildState(root)).toBe('fresh');
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'core', 'a.ts'), future, future);
    expect(buildState(root)).toBe('stale');
    // The NATS floor (nats/) is bundled into the app too: a change there makes out/ stale.
    utimesSync(join(root, 'core', 'a.ts'), past, past);
    mkdirSync(join(root, 'nats'), { recursive: true });
    writeFileSync(join(root, 'nats', 'b.ts'), '');
    utimesSync(join(root, 'nats', 'b.ts'), future, future);
    expect(buildState(root)).toBe('stale');
  });
});

describe('default data folder', () => {
  it('matches where Electron would put userData for JetDeck, unless JETDECK_DATA_DIR says otherwise', () => {
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/JetDeck');
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u')).toBe('/x/JetDeck');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/JetDeck');
    expect(defaultDataDir({ APPDATA: 'C:/Users/u/AppData/Roaming' }, 'win32', 'C:/Users/u')).toMatch(
      /Roaming[\\/]JetDeck$/,
    );
    expect(defaultDataDir({ JETDECK_DATA_DIR: '/data/jd' }, 'linux', '/home/u')).toBe('/data/jd');
  });
});
