import { Option, type Command } from 'commander';
import type { NatsFlags } from './cli-target';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/**
 * The `nats` CLI's connection flags (same names and environment variables), for `jetdeck serve`
 * and `jetdeck worker` alike. Precedence: flag > environment > context, as `nats` has it; the
 * environment is read in resolveNatsTarget (one place for the rule), so these options carry no
 * `.env()` of their own.
 */
export function addNatsOptions(cmd: Command, opts: { monitor?: boolean } = {}): Command {
  cmd
    .addOption(new Option('-s, --server <urls>', 'NATS server URL(s), comma-separated [env NATS_URL]'))
    .addOption(new Option('--nats <urls>', 'alias of --server').hideHelp())
    .addOption(
      new Option(
        '--context <name>',
        'nats CLI context to use (~/.config/nats/context/<name>.json) [env NATS_CONTEXT; default: the selected one]',
      ),
    )
    .addOption(new Option('--no-context', "ignore the nats CLI's selected context"))
    .addOption(new Option('--creds <file>', 'user credentials file (JWT + NKey seed) [env NATS_CREDS]'))
    .addOption(new Option('--user <user>', 'user name [env NATS_USER]'))
    .addOption(new Option('--password <password>', 'password [env NATS_PASSWORD]'))
    .addOption(
      new Option(
        '--nats-token <token>',
        "NATS auth token [env NATS_TOKEN] (serve's --token is its own access token)",
      ),
    )
    .addOption(new Option('--nkey <file>', 'user NKey seed file [env NATS_NKEY]'))
    .addOption(new Option('--tlscert <file>', 'TLS client certificate [env NATS_CERT]'))
    .addOption(new Option('--tlskey <file>', 'TLS client private key [env NATS_KEY]'))
    .addOption(new Option('--tlsca <file>', 'TLS certificate authority chain [env NATS_CA]'))
    .addOption(new Option('--tlsfirst', 'TLS handshake before the server greeting'))
    .addOption(new Option('--js-domain <domain>', 'JetStream domain to use'))
    .addOption(new Option('--inbox-prefix <prefix>', 'custom inbox prefix (accounts that restrict _INBOX)'))
    .addOption(
      new Option('--timeout <duration>', 'connect and JetStream API timeout, e.g. 5s [env NATS_TIMEOUT]'),
    );
  if (opts.monitor)
    cmd
      .addOption(
        new Option(
          '--monitor-url <url>',
          'HTTP monitoring URL of a server (http://host:8222), repeatable: CPU and memory per server',
        ).argParser(collect),
      )
      .addOption(
        new Option(
          '--system-creds <file>',
          'system-account credentials for the monitor (every server of a cluster) [env JETDECK_SYSTEM_CREDS]',
        ),
      )
      .addOption(
        new Option('--system-context <name>', 'nats context holding the system account, for the monitor'),
      );
  return cmd;
}

/** Commander's parsed options → NatsFlags. */
export function natsFlagsFrom(o: Record<string, unknown>): NatsFlags {
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  return {
    server: str('server'),
    nats: str('nats'),
    context: str('context'),
    useContext: o.context !== false,
    creds: str('creds'),
    user: str('user'),
    password: str('password'),
    token: str('natsToken'),
    nkey: str('nkey'),
    tlscert: str('tlscert'),
    tlskey: str('tlskey'),
    tlsca: str('tlsca'),
    tlsfirst: o.tlsfirst === true,
    jsDomain: str('jsDomain'),
    inboxPrefix: str('inboxPrefix'),
    timeout: str('timeout'),
    systemCreds: str('systemCreds'),
    systemContext: str('systemContext'),
    monitorUrl: Array.isArray(o.monitorUrl) ? (o.monitorUrl as string[]) : undefined,
  };
}
