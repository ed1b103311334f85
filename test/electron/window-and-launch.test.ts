import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchOptionsFromEnv } from '../../electron/launch-options';
import { isReachable, loadWindowState, restorableState, saveWindowState } from '../../electron/window-state';

const dir = mkdtempSync(join(tmpdir(), 'jetdeck-winstate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fullHd = { x: 0, y: 0, width: 1920, height: 1040 };
const rightOf = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('window state', () => {
  it('round-trips through the JSON file', () => {
    saveWindowState(dir, { x: 100, y: 80, width: 1200, height: 800, maximized: true });
    expect(loadWindowState(dir)).toEqual({ x: 100, y: 80, width: 1200, height: 800, maximized: true });
  });

  it('ignores corrupt or out-of-range files', () => {
    writeFileSync(join(dir, 'window-state.json'), '{not json');
    expect(loadWindowState(dir)).toBeUndefined();
    writeFileSync(join(dir, 'window-state.json'), JSON.stringify({ x: 0, y: 0, width: 10, height: 10 }));
    expect(loadWindowState(dir)).toBeUndefined();
    rmSync(join(dir, 'window-state.json'));
    expect(loadWindowState(dir)).toBeUndefined();
  });

  it('restores only where the title bar can still be grabbed', () => {
    const onSecond = { x: 2200, y: 100, width: 1200, height: 800, maximized: false };
    expect(isReachable(onSecond, [fullHd, rightOf])).toBe(true);
    // The second monitor was unplugged: fall back to defaults instead of an invisible window.
    expect(restorableState(onSecond, [fullHd])).toBeUndefined();
    // Title bar above the top of the screen.
    expect(isReachable({ x: 100, y: -400, width: 1200, height: 800 }, [fullHd])).toBe(false);
    // Only a sliver hanging in from the left.
    expect(isReachable({ x: -1180, y: 100, width: 1200, height: 800 }, [fullHd])).toBe(false);
    expect(restorableState(undefined, [fullHd])).toBeUndefined();
  });
});

describe('launch environment', () => {
  it('accepts an absolute data dir and NATS URLs', () => {
    expect(
      launchOptionsFromEnv({
        JETDECK_DATA_DIR: '/tmp/x',
        JETDECK_NATS_URL: 'nats://127.0.0.1:4333,tls://h:1',
      }),
    ).toEqual({ dataDir: '/tmp/x', natsUrl: 'nats://127.0.0.1:4333,tls://h:1' });
    expect(launchOptionsFromEnv({})).toEqual({ dataDir: undefined, natsUrl: undefined });
    expect(launchOptionsFromEnv({ JETDECK_DATA_DIR: '' })).toEqual({
      dataDir: undefined,
      natsUrl: undefined,
    });
  });

  it('rejects a relative data dir or a malformed URL with a clear message', () => {
    expect(() => launchOptionsFromEnv({ JETDECK_DATA_DIR: 'rel/dir' })).toThrow(
      /JETDECK_DATA_DIR must be an absolute path/,
    );
    expect(() => launchOptionsFromEnv({ JETDECK_NATS_URL: 'http://x/y z' })).toThrow(/JETDECK_NATS_URL/);
  });
});
