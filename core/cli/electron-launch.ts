import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finding and launching the Electron app, shared by `jetdeck desktop` and `npm start`.
 * Electron's npm package downloads its binary in a postinstall step; where that download
 * failed (as on machines that cannot reach its host) the package is there but unusable, so we
 * check the binary itself, the way electron/index.js locates it.
 */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ElectronProbe = { ok: true; binary: string } | { ok: false; reason: string };

export function probeElectron(root: string = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): ElectronProbe {
  const require = createRequire(join(root, 'package.json'));
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'package not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!relative && !override) {
    return {
      ok: false,
      reason: `binary not downloaded: ${pathFile} is missing, electron's install step could not fetch it`,
    };
  }
  const binary = override ? join(override, relative || 'electron') : join(pkgDir, 'dist', relative);
  if (!existsSync(binary)) return { ok: false, reason: `binary not downloaded: ${binary} not found` };
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'no display: neither DISPLAY nor WAYLAND_DISPLAY is set' };
  }
  return { ok: true, binary };
}

export function fallbackLine(reason: string): string {
  return `JetDeck: Electron is unavailable (${reason}); starting the browser UI with 'jetdeck serve' instead.`;
}

const BUILT_MAIN = join('out', 'main', 'index.js');
const SOURCE_DIRS = ['electron', 'renderer', 'core', 'api', 'worker', 'nats'];

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export type BuildState = 'fresh' | 'stale' | 'missing';

/** Whether out/ has to be (re)built: missing, or older than any source file. */
export function buildState(root: string = REPO_ROOT): BuildState {
  const main = join(root, BUILT_MAIN);
  if (!existsSync(main) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) return 'missing';
  const builtAt = statSync(main).mtimeMs;
  return SOURCE_DIRS.some((d) => newestMtime(join(root, d)) > builtAt) ? 'stale' : 'fresh';
}

function canBuild(root: string): boolean {
  try {
    createRequire(join(root, 'package.json')).resolve('electron-vite/package.json');
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds out/ with `npm run build` when needed and possible. Returns false when the app
 * cannot be launched (no build and no way to make one, or the build failed).
 */
export function ensureBuilt(root: string = REPO_ROOT): boolean {
  const state = buildState(root);
  if (state === 'fresh') return true;
  if (!canBuild(root)) {
    if (state === 'stale') return true; // an installed copy: use what we have
    console.error(
      `JetDeck: the app is not built (${BUILT_MAIN} is missing). Run "npm run build" in ${root}.`,
    );
    return false;
  }
  console.error(
    `JetDeck: building the app (npm run build)${state === 'stale' ? ': sources changed since the last build' : ''}.`,
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const res = spawnSync(npm, ['run', 'build'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (res.status !== 0) {
    console.error(
      `JetDeck: the build failed${res.error ? `: ${res.error.message}` : ''}. Fix it and run "npm run build".`,
    );
    return false;
  }
  return true;
}

/** Runs Electron on the app folder (package.json "main" → out/main/index.js) until it exits. */
export function launchElectron(
  binary: string,
  opts: { root?: string; dataDir?: string } = {},
): Promise<number> {
  const root = opts.root ?? REPO_ROOT;
  const env = { ...process.env };
  if (opts.dataDir) env.JETDECK_DATA_DIR = resolve(opts.dataDir);
  const child = spawn(binary, [root], { cwd: root, stdio: 'inherit', env });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolveExit) => {
    child.on('error', (err) => {
      console.error(`JetDeck: could not start Electron: ${err.message}`);
      resolveExit(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolveExit(code ?? (signal ? 1 : 0));
    });
  });
}
