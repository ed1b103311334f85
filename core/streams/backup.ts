import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { ApiError } from '../../api/errors';
import { inboxFor, jsApiPrefix } from '../../nats/connect-options';

/**
 * Stream backup and restore through the server's snapshot API (`$JS.API.STREAM.SNAPSHOT.<name>`,
 * `$JS.API.STREAM.RESTORE.<name>`), in the folder layout `nats stream backup` writes, so either
 * tool restores the other's backups:
 *
 *   <dir>/backup.json     {"config": <stream config>, "state": <stream state>} as the server sent them
 *   <dir>/stream.tar.s2   the snapshot exactly as the server streamed it (an S2-compressed tar of the
 *                         stream's store, its consumers included)
 */
export const BACKUP_META = 'backup.json';
export const BACKUP_DATA = 'stream.tar.s2';

const SNAPSHOT_CHUNK = 128 * 1024;
const RESTORE_CHUNK = 64 * 1024;
/** No snapshot chunk for this long: the server stopped sending (it retries flow control for ~10 s). */
const IDLE_MS = 30_000;

export interface BackupProgress {
  op: 'backup' | 'restore';
  stream: string;
  /** Bytes received (backup) or sent (restore) so far. */
  bytes: number;
  /** Bytes expected: the backup file's size (restore); the stream's stored bytes, a rough guide, for backup. */
  totalBytes: number;
  chunks: number;
  done: boolean;
}

export interface BackupResult {
  stream: string;
  dir: string;
  bytes: number;
  messages: number;
  lastSeq: number;
  consumers: number;
}

interface StreamMeta {
  config: { name: string; storage?: string; [k: string]: unknown };
  state: { messages: number; bytes: number; last_seq: number; consumer_count: number; [k: string]: unknown };
}

type Progress = (p: BackupProgress) => void;

async function apiRequest<T>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  timeout: number,
): Promise<T> {
  const r = await nc.request(subject, JSON.stringify(body), { timeout });
  return parseApi<T>(r);
}

function parseApi<T>(r: Msg): T {
  if (r.data.length === 0)
    throw new ApiError(
      'nats_error',
      r.headers?.description || `JetStream API status ${r.headers?.code ?? '?'}`,
    );
  const j = JSON.parse(new TextDecoder().decode(r.data)) as T & {
    error?: { description?: string; code?: number };
  };
  if (j.error) throw new ApiError('nats_error', j.error.description ?? 'JetStream API error');
  return j;
}

/**
 * Backs up `stream` (messages and consumers) into `dir`, creating it. Resolves once the server
 * has sent the whole snapshot and backup.json is written; `signal` cancels (the files are
 * then incomplete and say so by missing backup.json).
 */
export async function backupStream(
  nc: NatsConnection,
  stream: string,
  dir: string,
  onProgress: Progress = () => {},
  signal?: AbortSignal,
): Promise<BackupResult> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const data = createWriteStream(join(dir, BACKUP_DATA), { mode: 0o600 });
  const opened = new Promise<void>((resolve, reject) =>
    data.once('open', () => resolve()).once('error', reject),
  );
  await opened;
  const inbox = inboxFor(nc);
  const progress: BackupProgress = { op: 'backup', stream, bytes: 0, totalBytes: 0, chunks: 0, done: false };
  let finish!: (err?: Error) => void;
  const finished = new Promise<void>(
    (resolve, reject) => (finish = (err) => (err ? reject(err) : resolve())),
  );
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => finish(new Error(`no snapshot data for ${IDLE_MS / 1000} s`)), IDLE_MS);
  };
  const sub = nc.subscribe(inbox, {
    callback: (err, m) => {
      if (err) return finish(err);
      if (m.data.length === 0) {
        const code = m.headers?.code ?? 0;
        // The server ends a snapshot with an empty message (status 204 where it sets one).
        if (code && code !== 204)
          return finish(new Error(`snapshot failed: ${code} ${m.headers?.description ?? ''}`));
        return finish();
      }
      data.write(m.data);
      // Flow control: the server sends the next window once this chunk is acknowledged.
      if (m.reply) m.respond();
      progress.bytes += m.data.length;
      progress.chunks++;
      if (progress.chunks % 16 === 1) onProgress({ ...progress });
      arm();
    },
  });
  const onAbort = () => finish(new Error('backup cancelled'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const meta = await apiRequest<StreamMeta>(
      nc,
      `${jsApiPrefix(nc)}.STREAM.SNAPSHOT.${stream}`,
      { deliver_subject: inbox, no_consumers: false, chunk_size: SNAPSHOT_CHUNK, jsck: false },
      10_000,
    );
    progress.totalBytes = meta.state.bytes;
    onProgress({ ...progress });
    arm();
    await finished;
    await new Promise<void>((resolve, reject) =>
      data.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    await writeFile(
      join(dir, BACKUP_META),
      JSON.stringify({ config: meta.config, state: meta.state }, null, 2),
      {
        mode: 0o600,
      },
    );
    onProgress({ ...progress, done: true });
    return {
      stream,
      dir,
      bytes: progress.bytes,
      messages: meta.state.messages,
      lastSeq: meta.state.last_seq,
      consumers: meta.state.consumer_count,
    };
  } catch (err) {
    data.destroy();
    throw err instanceof ApiError
      ? err
      : new ApiError('nats_error', `backup of ${stream}: ${(err as Error).message}`);
  } finally {
    clearTimeout(idle);
    signal?.removeEventListener('abort', onAbort);
    sub.unsubscribe();
  }
}

/** Reads backup.json of a backup folder (the stream's config and state when it was backed up). */
export function readBackupMeta(dir: string): StreamMeta {
  const file = join(dir, BACKUP_META);
  if (!existsSync(file) || !existsSync(join(dir, BACKUP_DATA)))
    throw new ApiError(
      'invalid_input',
      `${dir} is not a stream backup (needs ${BACKUP_META} and ${BACKUP_DATA})`,
    );
  let meta: StreamMeta;
  try {
    meta = JSON.parse(readFileSync(file, 'utf8')) as StreamMeta;
  } catch (err) {
    throw new ApiError('invalid_input', `${file}: ${(err as Error).message}`);
  }
  if (typeof meta?.config?.name !== 'string' || typeof meta.state !== 'object')
    throw new ApiError('invalid_input', `${file} has no stream config and state`);
  return meta;
}

/**
 * Restores the backup in `dir` as the stream it was taken from (which must not exist): the
 * server receives the snapshot in 64 KB chunks, each acknowledged, then rebuilds the stream
 * with its messages, sequence numbers and consumers.
 */
export async function restoreStream(
  nc: NatsConnection,
  dir: string,
  onProgress: Progress = () => {},
  signal?: AbortSignal,
): Promise<BackupResult> {
  const meta = readBackupMeta(dir);
  const stream = meta.config.name;
  if (meta.config.storage === 'memory')
    throw new ApiError('invalid_input', 'memory streams cannot be restored');
  const dataFile = join(dir, BACKUP_DATA);
  const total = statSync(dataFile).size;
  const api = jsApiPrefix(nc);
  const { deliver_subject: target } = await apiRequest<{ deliver_subject: string }>(
    nc,
    `${api}.STREAM.RESTORE.${stream}`,
    { config: meta.config, state: meta.state },
    10_000,
  );
  const progress: BackupProgress = {
    op: 'restore',
    stream,
    bytes: 0,
    totalBytes: total,
    chunks: 0,
    done: false,
  };
  onProgress({ ...progress });
  for await (const chunk of createReadStream(dataFile, {
    highWaterMark: RESTORE_CHUNK,
  }) as AsyncIterable<Buffer>) {
    if (signal?.aborted)
      throw new ApiError('nats_error', 'restore cancelled (the server discards the partial stream)');
    const r = await nc.request(target, chunk, { timeout: 10_000 });
    if (r.data.length > 0) parseApi(r);
    progress.bytes += chunk.length;
    progress.chunks++;
    if (progress.chunks % 16 === 1) onProgress({ ...progress });
  }
  // An empty message ends the upload; the server then rebuilds the stream (may take a while).
  const done = parseApi<{ stream_info?: { state: StreamMeta['state'] } }>(
    await nc.request(target, new Uint8Array(0), { timeout: 300_000 }),
  );
  onProgress({ ...progress, done: true });
  const state = done.stream_info?.state ?? meta.state;
  return {
    stream,
    dir,
    bytes: progress.bytes,
    messages: state.messages,
    lastSeq: state.last_seq,
    consumers: state.consumer_count,
  };
}
