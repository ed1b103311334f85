import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { AppCore } from '../features';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../api/serve-defaults';
import type { ServeHandle } from '../serve/server';
import { addNatsOptions, natsFlagsFrom } from '../../nats/cli-options';
import type { NatsTarget } from '../../nats/cli-target';
import { defaultDataDir } from './data-dir';
import { openInBrowser } from './open-browser';
import { wholeNumberEnv } from '../util/env-number';

/** Flags of `jetdeck serve` (also accepted by `jetdeck desktop`, for its fallback to serve). */
export interface ServeFlags extends Record<string, unknown> {
  host: string;
  port: number;
  token?: string;
  dataDir?: string;
  workers?: number;
  handlers?: string;
  allowHost?: string[];
  uiDir?: string;
  open: boolean;
  allowRemoteControl?: boolean;
  replicas?: number;
  placementTags?: string[];
}

function parseReplicas(value: string): number {
  const n = Number(value);
  if (!/^[1-5]$/.test(value.trim())) throw new InvalidArgumentError('expected 1..5');
  return n;
}

function parseTags(value: string): string[] {
  const tags = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (!tags.length || tags.some((t) => !/^[A-Za-z0-9_.:=-]{1,64}$/.test(t)))
    throw new InvalidArgumentError('expected tags a,b (letters, digits and _ . : = -)');
  return tags;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535)
    throw new InvalidArgumentError('expected a port number 0-65535 (0 = any free port)');
  return n;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 1024)
    throw new InvalidArgumentError('expected a whole number 0-1024');
  return n;
}

export function addServeOptions(cmd: Command): Command {
  addNatsOptions(cmd, { monitor: true });
  return cmd
    .addHelpText(
      'after',
      [
        '',
        'Connection: flags > environment (NATS_URL, NATS_CONTEXT, NATS_CREDS...) > the nats CLI context, as the',
        'nats CLI resolves them. With none of them, serve connects to the profile used last, else the embedded',
        'local nats-server.',
      ].join('\n'),
    )
    .addOption(
      new Option('--host <host>', 'address to listen on; non-loopback addresses require --token')
        .env('JETDECK_HOST')
        .default(DEFAULT_HOST),
    )
    .addOption(
      new Option('--port <port>', 'port to listen on (0 = any free port)')
        .env('JETDECK_PORT')
        .default(DEFAULT_PORT)
        .argParser(parsePort),
    )
    .addOption(
      new Option(
        '--replicas <n>',
        'replicas of the TASKS stream when JetDeck creates it (saved; default: 3 on a cluster of 3 or more servers, else 1)',
      ).argParser(parseReplicas),
    )
    .addOption(
      new Option(
        '--placement-tags <a,b>',
        'placement tags of the TASKS stream when JetDeck creates it (saved)',
      ).argParser(parseTags),
    )
    .addOption(
      new Option(
        '--allow-remote-control',
        "let drain, pause/resume and concurrency requests on the pool's NATS service endpoints control it (see the README for the permissions that protect them)",
      ),
    )
    .addOption(
      new Option(
        '--token <token>',
        'access token for the UI and API (default: a random one, printed in the URL)',
      ).env('JETDECK_TOKEN'),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        'folder for profiles, secrets and the embedded server store (default: $JETDECK_DATA_DIR or the OS app-data folder)',
      ),
    )
    .addOption(
      new Option('--workers <n>', 'start an in-process worker pool with N workers').argParser(parseCount),
    )
    .addOption(
      new Option(
        '--handlers <file>',
        'module with task handlers for the worker pool (the UI and API may also use modules in <data-dir>/handlers/)',
      ),
    )
    .addOption(
      new Option(
        '--allow-host <names>',
        'extra Host header names to answer (comma-separated), e.g. a name behind a reverse proxy',
      ).argParser((v: string, prev: string[] = []) => [
        ...prev,
        ...v
          .split(',')
          .map((h) => h.trim())
          .filter(Boolean),
      ]),
    )
    .addOption(
      new Option('--ui-dir <dir>', 'folder with the built browser UI (default: out/renderer)').hideHelp(),
    )
    .addOption(new Option('--no-open', 'do not open the browser (it opens only when run from a terminal)'));
}

export function registerServeCommand(program: Command): void {
  addServeOptions(
    program
      .command('serve')
      .description('run the backend headless and serve the browser UI over HTTP + WebSocket')
      .addHelpText(
        'after',
        [
          '',
          'Prints "JetDeck serving http://HOST:PORT/?token=T": open that link; the page keeps the token for its tab.',
          'Scripts use "Authorization: Bearer T": GET /api/health, POST /api/call/<method>, WebSocket /ws.',
          'A --token of your own must be at least 32 random characters (e.g. `openssl rand -hex 32`).',
          'The API reads and writes files only in <data-dir>/handlers, <data-dir>/imports and <data-dir>/exports.',
          'Ctrl-C (SIGINT) or SIGTERM stops the server and the embedded nats-server.',
        ].join('\n'),
      ),
  ).action(async (flags: ServeFlags) => {
    await runServe(flags);
  });
}

function fail(message: string, exitCode: number): never {
  console.error(`JetDeck: ${message}`);
  process.exit(exitCode);
}

/**
 * V8 lets the old space grow to up to 4x what survived the last full collection before the next
 * one; serve's live set is ~40-50 MB under a task flow, so its heap (and RSS) peaked ~70 MB above
 * it. A factor of 1.5 keeps serve's RSS flat for a few more (incremental) collections. This V8 flag
 * is read each time the limit is set, so it works from inside the running process, unlike the
 * heap size flags (JETDECK_HEAP_GROWING_PERCENT overrides it, 0 = V8's own heuristics).
 */
function limitHeapGrowth(): void {
  const pct = wholeNumberEnv('JETDECK_HEAP_GROWING_PERCENT', process.env.JETDECK_HEAP_GROWING_PERCENT, 50);
  setFlagsFromString(`--heap-growing-percent=${pct}`);
}

/** `jetdeck serve`: builds the core, listens, connects, starts workers, and stops cleanly on a signal. */
export async function runServe(flags: ServeFlags): Promise<void> {
  limitHeapGrowth();
  // The server and the core are loaded only once the flags are known to be usable, so
  // `--help` and refusals stay quick.
  const [{ resolveServeOptions, ServeError }, { resolveNatsTarget }] = await Promise.all([
    import('../serve/options'),
    import('../../nats/cli-target'),
  ]);
  let target: NatsTarget | undefined;
  try {
    // Before anything touches disk: a refused bind must have no side effects.
    resolveServeOptions({
      host: flags.host,
      port: flags.port,
      token: flags.token,
      allowHosts: flags.allowHost,
    });
    target = resolveNatsTarget(natsFlagsFrom(flags));
  } catch (err) {
    fail((err as Error).message, err instanceof ServeError ? err.exitCode : 2);
  }
  const [{ autoConnect, createCore }, { startServe }, { startPoolAtLaunch }] = await Promise.all([
    import('../backend'),
    import('../serve/server'),
    import('../workers/cli-start'),
  ]);
  const dataDir = flags.dataDir ? resolve(flags.dataDir) : defaultDataDir();
  let core: AppCore;
  try {
    core = createCore({ dataDir, mode: 'serve' });
  } catch (err) {
    fail(`cannot use data folder ${dataDir}: ${(err as Error).message}`, 1);
  }

  let handle: ServeHandle;
  try {
    handle = await startServe(core, {
      host: flags.host,
      port: flags.port,
      token: flags.token,
      allowHosts: flags.allowHost,
      uiDir: flags.uiDir ? resolve(flags.uiDir) : undefined,
    });
  } catch (err) {
    await core.dispose();
    fail((err as Error).message, err instanceof ServeError ? err.exitCode : 1);
  }

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // second Ctrl-C: give up waiting
    stopping = true;
    console.error(`JetDeck: ${signal} received, stopping.`);
    setTimeout(() => fail('shutdown took too long; exiting anyway', 1), 10_000).unref();
    await handle
      .close()
      .catch((err: unknown) => console.error('JetDeck: closing HTTP failed:', (err as Error).message));
    await core.dispose();
    process.exit(0);
  };
  process.on('SIGINT', (s) => void stop(s));
  process.on('SIGTERM', (s) => void stop(s));
  (await import('../serve/mem-log')).startMemLog();

  if (flags.replicas !== undefined || flags.placementTags) {
    core.features.tasks.choose({ replicas: flags.replicas, placementTags: flags.placementTags });
  }
  await autoConnect(core, { target });
  await startPoolAtLaunch(core, {
    allowRemoteControl: flags.allowRemoteControl,
    workers: flags.workers,
    handlers: flags.handlers ? resolve(flags.handlers) : undefined,
  });

  const nats = core.connections.status();
  console.error(
    `JetDeck: data folder ${dataDir} (API files: handlers/, imports/, exports/); NATS ${nats.state}${nats.server ? ` (${nats.server})` : ''}${nats.reason ? `: ${nats.reason}` : ''}`,
  );
  console.log(`JetDeck serving ${handle.loginUrl}`);
  if (flags.open && process.stdout.isTTY) openInBrowser(handle.loginUrl);
}
