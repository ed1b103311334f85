import { resolve } from 'node:path';
import type { Command } from 'commander';
import { addNatsOptions, natsFlagsFrom } from '../../nats/cli-options';
import type { NatsConnection } from '@nats-io/transport-node';
import type * as BackupModule from '../streams/backup';
import type { BackupProgress, BackupResult } from '../streams/backup';

/**
 * `jetdeck stream backup NAME DIR` / `jetdeck stream restore DIR`: the server's snapshot and
 * restore API, in the folder layout of `nats stream backup` (either tool restores the other's
 * backups). Connects like `jetdeck worker` (the nats CLI's flags, environment and context).
 */
export function registerStreamCommand(program: Command): void {
  const stream = program
    .command('stream')
    .description('stream backup and restore (the layout nats stream backup writes)');
  addNatsOptions(
    stream
      .command('backup')
      .description('back up a stream (its messages and consumers) into DIR: backup.json + stream.tar.s2')
      .argument('<name>', 'stream name')
      .argument('<dir>', 'folder to write (created if missing)'),
  ).action(async (name: string, dir: string, raw: Record<string, unknown>) => {
    await run(raw, async (nc, b) => b.backupStream(nc, name, resolve(dir), printProgress));
  });
  addNatsOptions(
    stream
      .command('restore')
      .description('restore the stream backed up in DIR (it must not exist on the server)')
      .argument('<dir>', 'folder holding backup.json and stream.tar.s2'),
  ).action(async (dir: string, raw: Record<string, unknown>) => {
    await run(raw, async (nc, b) => b.restoreStream(nc, resolve(dir), printProgress));
  });
}

type Backup = typeof BackupModule;

async function run(
  raw: Record<string, unknown>,
  op: (nc: NatsConnection, b: Backup) => Promise<BackupResult>,
): Promise<void> {
  // Loaded only when the command runs, so `--help` stays quick.
  const [{ resolveNatsTarget }, { connectTo }, backup] = await Promise.all([
    import('../../nats/cli-target'),
    import('../../nats/connect-options'),
    import('../streams/backup'),
  ]);
  let target;
  try {
    target = resolveNatsTarget(natsFlagsFrom(raw), { implicit: true })!;
  } catch (err) {
    console.error(`jetdeck stream: ${(err as Error).message}`);
    process.exit(2);
  }
  let nc;
  try {
    nc = await connectTo(target, { name: 'jetdeck-stream', maxReconnectAttempts: 0 });
  } catch (err) {
    console.error(
      `jetdeck stream: cannot connect to ${target.servers.join(', ')}: ${(err as Error).message}`,
    );
    process.exit(1);
  }
  try {
    const r = await op(nc, backup);
    console.log(
      `${r.stream}: ${r.messages} messages (last sequence ${r.lastSeq}), ${r.consumers} consumers, ${r.bytes} bytes; ${r.dir}`,
    );
  } catch (err) {
    console.error(`jetdeck stream: ${(err as Error).message}`);
    process.exitCode = 1;
  } finally {
    await nc.close();
  }
}

function printProgress(p: BackupProgress): void {
  const pct = p.totalBytes > 0 ? ` (${Math.min(100, Math.round((p.bytes / p.totalBytes) * 100))}%)` : '';
  console.error(`${p.op} ${p.stream}: ${p.bytes} bytes, ${p.chunks} chunks${pct}${p.done ? ', done' : ''}`);
}
