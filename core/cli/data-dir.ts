import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where JetDeck keeps profiles, secrets and the embedded nats-server store when no
 * `--data-dir` is given: `$JETDECK_DATA_DIR`, else the folder Electron's `userData` would be
 * for an app named JetDeck, so the desktop app and `jetdeck serve` share one data folder.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.JETDECK_DATA_DIR) return resolve(env.JETDECK_DATA_DIR);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'JetDeck');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'JetDeck');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'JetDeck');
}
