import { Command } from 'commander';
import { APP_VERSION } from '../version';
import { ensureBuilt, fallbackLine, launchElectron, probeElectron } from './electron-launch';
import { addServeOptions, registerServeCommand, runServe, type ServeFlags } from './serve-command';
import { registerStreamCommand } from './stream-command';
import { registerWorkerCommand } from '../../worker/cli/command';

/** The `jetdeck` command line: desktop (default), serve, worker. */
export function buildProgram(): Command {
  const program = new Command('jetdeck')
    .description(
      'JetDeck: a desktop app for NATS JetStream task queues (publish tasks, run workers, browse streams, monitor servers)',
    )
    .version(APP_VERSION, '-v, --version')
    .showHelpAfterError('(run "jetdeck --help" for usage)')
    // Usage errors exit 2 (help and --version 0); set before .command() so subcommands inherit it.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .addHelpText(
      'after',
      [
        '',
        'Environment:',
        '  JETDECK_DATA_DIR      data folder (default: the OS app-data folder, e.g. ~/.config/JetDeck)',
        '  JETDECK_TOKEN         serve: access token (same as --token)',
        '  JETDECK_HOST, JETDECK_PORT   serve: listen address (same as --host, --port)',
        '  JETDECK_NATS_SERVER   path of the nats-server binary for the embedded local server',
      ].join('\n'),
    );

  addServeOptions(
    program
      .command('desktop', { isDefault: true })
      .description(
        'open the desktop app (default command); where Electron is unavailable, says why and runs "jetdeck serve" with these flags',
      ),
  ).action(async (flags: ServeFlags) => {
    await runDesktop(flags);
  });

  registerServeCommand(program);
  registerWorkerCommand(program);
  registerStreamCommand(program);
  program.addHelpText('after', () => commandSummary(program));
  return program;
}

/** Every command with all its flags, so `jetdeck --help` alone documents the whole CLI. */
function commandSummary(program: Command): string {
  const lines = ['', 'Commands and their flags (details: jetdeck <command> --help):'];
  for (const cmd of program.commands) {
    if (cmd.name() === 'help') continue;
    lines.push(`  jetdeck ${cmd.name()}${cmd.registeredArguments.map((a) => ` <${a.name()}>`).join('')}`);
    if (cmd.name() === 'desktop') {
      lines.push('      (default command; takes the serve flags below, used when it falls back to serve)');
      continue;
    }
    for (const opt of cmd.options) {
      if (opt.hidden) continue;
      const extra = [
        opt.defaultValue !== undefined && typeof opt.defaultValue !== 'boolean'
          ? `default ${String(opt.defaultValue)}`
          : '',
        opt.envVar ? `env ${opt.envVar}` : '',
      ].filter(Boolean);
      const desc = opt.description;
      lines.push(`      ${opt.flags.padEnd(20)} ${desc}${extra.length ? ` [${extra.join(', ')}]` : ''}`);
    }
  }
  return lines.join('\n');
}

/** Electron when usable (building out/ first if needed), otherwise one line saying why and `serve`. */
export async function runDesktop(flags: ServeFlags): Promise<void> {
  const probe = probeElectron();
  if (!probe.ok) {
    console.error(fallbackLine(probe.reason));
    ensureBuilt(); // the browser UI that serve hands out is the renderer's build
    await runServe(flags);
    return;
  }
  if (!ensureBuilt()) process.exit(1);
  process.exit(await launchElectron(probe.binary, { dataDir: flags.dataDir }));
}

export async function runCli(argv: string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync(argv);
}
