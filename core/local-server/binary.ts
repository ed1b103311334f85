import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findAppRoot } from '../util/app-root';

/** Where a nats-server binary was found, in lookup order. */
export type BinarySource = 'env' | 'configured' | 'resources' | 'path';

export interface FoundBinary {
  path: string;
  source: BinarySource;
}

export interface LookupOptions {
  /** Explicit path from settings. */
  configured?: string;
  /** Folders holding `bin/nats-server[.exe]` (app root, Electron resources). */
  resourceRoots?: string[];
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

export interface LookupResult {
  found?: FoundBinary;
  /** Candidates that were named explicitly but are unusable, with why: shown to the user. */
  rejected: string[];
}

const exeName = (platform: NodeJS.Platform) => (platform === 'win32' ? 'nats-server.exe' : 'nats-server');

function isExecutable(path: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** JETDECK_NATS_SERVER, the configured path, `resources/bin/`, then PATH. */
export function findNatsServer(opts: LookupOptions = {}): LookupResult {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const rejected: string[] = [];
  const explicit: [string | undefined, BinarySource, string][] = [
    [env.JETDECK_NATS_SERVER, 'env', 'JETDECK_NATS_SERVER'],
    [opts.configured, 'configured', 'the configured nats-server path'],
  ];
  for (const [path, source, label] of explicit) {
    if (!path) continue;
    if (isExecutable(path, platform)) return { found: { path, source }, rejected };
    rejected.push(`${label} (${path}) is not an executable file`);
  }
  for (const root of opts.resourceRoots ?? defaultResourceRoots()) {
    const path = join(root, 'bin', exeName(platform));
    if (isExecutable(path, platform)) return { found: { path, source: 'resources' }, rejected };
  }
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, exeName(platform));
    if (isExecutable(path, platform)) return { found: { path, source: 'path' }, rejected };
  }
  return { rejected };
}

/** `<app root>/resources` (source checkout or unpacked build) and Electron's resources folder. */
export function defaultResourceRoots(): string[] {
  const roots: string[] = [];
  const appRoot = findAppRoot();
  if (appRoot) roots.push(join(appRoot, 'resources'));
  const electronResources = (process as { resourcesPath?: string }).resourcesPath;
  if (electronResources) roots.push(electronResources);
  return roots;
}

/** `nats-server --version` prints e.g. "nats-server: v2.9.10". */
export function readVersion(binary: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 5000 }, (err, stdout, stderr) => {
      if (err) return resolve(undefined);
      const m = /v?(\d+\.\d+\.\d+[\w.-]*)/.exec(`${stdout} ${stderr}`);
      resolve(m?.[1]);
    });
  });
}

/** How to get nats-server on this OS, for the UI when none was found. */
export function installHint(platform: NodeJS.Platform = process.platform): { os: string; steps: string[] } {
  const envStep = 'or set JETDECK_NATS_SERVER=/path/to/nats-server and restart JetDeck';
  const releases =
    'or download a release from https://github.com/nats-io/nats-server/releases and put it on PATH';
  switch (platform) {
    case 'darwin':
      return { os: 'macOS', steps: ['brew install nats-server', releases, envStep] };
    case 'win32':
      return {
        os: 'Windows',
        steps: ['winget install nats-io.nats-server', 'or choco install nats-server', releases, envStep],
      };
    case 'linux':
      return {
        os: 'Linux',
        steps: ['sudo apt-get install nats-server   (Debian/Ubuntu)', releases, envStep],
      };
    default:
      return { os: platform, steps: [releases, envStep] };
  }
}
