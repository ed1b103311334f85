import { Option, type Command } from 'commander';
import { addNatsOptions } from '../../nats/cli-options';

/**
 * `jetdeck worker`: the same runtime as the in-process pool, headless, so processes on many
 * machines share the lane consumers. One line per state change, a summary every few seconds;
 * the first Ctrl-C drains (finish in-flight tasks), a second one exits at once (unacked tasks
 * are redelivered by JetStream). Only the flags live here, so `jetdeck --help` lists them without
 * loading NATS, zod or the runtime (./run, imported when the command runs).
 */
export function registerWorkerCommand(program: Command): void {
  const cmd = program
    .command('worker')
    .description('run task workers headless against a NATS server (the same runtime as the in-process pool)')
    .addOption(new Option('--concurrency <n>', 'tasks run at once (per thread)').default('16'))
    .addOption(
      new Option('--threads <n>', 'run an in-process pool of N worker threads instead of one runtime'),
    )
    .addOption(
      new Option(
        '--handlers <file>',
        'module whose default export maps task type → async (task, ctx) => result',
      ),
    )
    .addOption(new Option('--types <a,b>', 'only these task types (their typed lanes tasks.typed.<type>)'))
    .addOption(new Option('--name <name>', 'worker name in status events (default <host>-<pid>)'))
    .addOption(
      new Option('--backoff <ms,...>', 'nak delays per failed attempt in ms (default 1000,5000,25000)'),
    )
    .addOption(
      new Option(
        '--replicas <n>',
        'replicas of the TASKS stream if this worker creates it (default: 3 on a cluster of 3 or more servers, else 1); an existing stream is left as it is',
      ),
    )
    .addOption(
      new Option('--placement-tags <a,b>', 'placement tags of the TASKS stream if this worker creates it'),
    )
    .addOption(
      new Option(
        '--allow-remote-control',
        'let drain, pause/resume and concurrency requests on its NATS service endpoints (jetdeck.worker.<id>.*) control it; ' +
          'protect them with NATS permissions (see the README)',
      ),
    )
    .addOption(new Option('--summary-every <s>', 'seconds between summary lines (0: none)').default('10'))
    .addOption(
      new Option(
        '--metrics-port <port>',
        'serve Prometheus metrics at http://<metrics-host>:<port>/metrics (jetdeck_tasks_*, ' +
          'jetdeck_task_handler_latency_seconds, jetdeck_consumer_* of its lanes); 0: any free port',
      ),
    )
    .addOption(
      new Option('--metrics-host <host>', 'address the metrics port listens on').default('127.0.0.1'),
    );
  addNatsOptions(cmd);
  cmd.addHelpText(
    'after',
    [
      '',
      'Connection: flags > environment (NATS_URL, NATS_CONTEXT, NATS_CREDS...) > the nats CLI context',
      '(--context, else the selected one) > nats://127.0.0.1:4222, as the nats CLI resolves them.',
    ].join('\n'),
  );
  cmd.action(async (raw: Record<string, unknown>) => {
    const { runWorkerCommand } = await import('./run');
    await runWorkerCommand(raw, cmd);
  });
}
