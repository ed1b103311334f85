import { readFile } from 'node:fs/promises';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  MAX_EXPORT_CONTENT_BYTES,
  type messagesMethods,
  type ReplayMode,
  type ReplayMethodName,
} from '../../api/features/messages';
import { ApiError } from '../../api/errors';
import type { Core } from '../core';
import type { HostFiles } from '../files/host-files';
import { parseJsonLines, toJsonLine, type ParsedLine } from '../messages/jsonl';
import type { HandlersFor } from '../router';
import { withApiErrors } from '../streams/api-errors';
import type { JobLog } from '../jobs/job-log';
import { JobRegistry, PublishJob, type OutMsg } from './jobs';
import { countSource, readSource, resolveSource, type ResolvedSource, type SourceSpec } from './source';
import { ReplayTransform, type Target } from './transform';

/**
 * Registers replay and export/import: jobs that read a source range and publish it elsewhere
 * (or to a file). Jobs are cancelled when the connection drops or the core is disposed.
 */
export function registerReplay(core: Core, deps: { files: HostFiles; jobs: JobLog }): void {
  const { files, jobs: jobLog } = deps;
  const jobs = new JobRegistry();
  core.connections.onDisconnected(() => jobs.cancelAll());
  core.onDispose(() => jobs.cancelAll());

  const ctx = async (): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> => {
    const conn = core.connections.require();
    return { nc: conn.nc, jsm: await conn.jsm() };
  };

  async function* exportLines(
    nc: NatsConnection,
    jsm: JetStreamManager,
    spec: SourceSpec,
  ): AsyncGenerator<string[]> {
    const src = await resolveSource(nc, jsm, spec);
    for await (const batch of readSource(nc, jsm, src)) yield batch.map(toJsonLine);
  }

  const handlers: Pick<HandlersFor<typeof messagesMethods>, ReplayMethodName> = {
    'replay.dryRun': async ({ source, target, mode }) => {
      const { nc, jsm } = await ctx();
      const src = await resolveSource(nc, jsm, source);
      const transform = replayTransform(src, target, mode);
      const r = await countSource(nc, jsm, src);
      return { ...r, sampleTarget: r.first ? transform.targetFor(r.first.subject) : undefined };
    },

    'replay.start': async ({ source, target, rate, mode }) => {
      const { nc, jsm } = await ctx();
      const src = await resolveSource(nc, jsm, source);
      const transform = replayTransform(src, target, mode);
      const { count } = await countSource(nc, jsm, src);
      const job = new PublishJob(core.bus, 'replay', count);
      const what = src.kind === 'range' ? `${src.from}–${src.to}` : `${src.seqs.length} selected`;
      recordJob(jobLog, job, `replay ${src.stream} ${what} → ${targetLabel(target)}`);
      async function* out(): AsyncGenerator<OutMsg[]> {
        for await (const batch of readSource(nc, jsm, src)) {
          const mapped: OutMsg[] = [];
          for (const m of batch) {
            const o = transform.apply(m, { seq: m.seq });
            if (o) mapped.push(o);
            else job.skip();
          }
          yield mapped;
        }
      }
      jobs.add(job);
      job.run(nc, rate, out());
      return job.snapshot();
    },
    'replay.cancel': ({ jobId }) => {
      const j = jobs.get(jobId);
      j.cancel();
      return j.snapshot();
    },
    'replay.status': ({ jobId }) => jobs.get(jobId).snapshot(),
    'replay.list': () => ({ jobs: jobs.list() }),

    'messages.export': async ({ source }) => {
      const { nc, jsm } = await ctx();
      const parts: string[] = [];
      let bytes = 0;
      let count = 0;
      for await (const lines of exportLines(nc, jsm, source)) {
        for (const l of lines) {
          bytes += Buffer.byteLength(l) + 1;
          if (bytes > MAX_EXPORT_CONTENT_BYTES) {
            throw new ApiError(
              'payload_too_large',
              `export is larger than ${MAX_EXPORT_CONTENT_BYTES / 1024 / 1024} MB; use messages.exportToFile`,
            );
          }
          parts.push(l);
          count++;
        }
      }
      return { content: parts.length ? parts.join('\n') + '\n' : '', count, bytes };
    },

    'messages.exportToFile': async ({ source, file }) => {
      const { nc, jsm } = await ctx();
      // Resolve the source first: a bad stream must not truncate an existing export.
      const src = await resolveSource(nc, jsm, source);
      const { path, out } = await files.openWrite('exports', file);
      let bytes = 0;
      let count = 0;
      try {
        for await (const batch of readSource(nc, jsm, src)) {
          const lines = batch.map(toJsonLine);
          const chunk = lines.join('\n') + '\n';
          bytes += Buffer.byteLength(chunk);
          count += lines.length;
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
      } finally {
        await new Promise<void>((resolve) => out.end(() => resolve()));
      }
      return { file, path, count, bytes };
    },

    'messages.import': async ({ content, file, target, rate, renewMsgIds }) => {
      const { nc } = await ctx();
      let text = content;
      if (file !== undefined) {
        const path = await files.resolveRead('imports', file);
        text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new ApiError('invalid_input', `cannot read ${file} (${err.code ?? 'error'})`);
        });
      }
      const lines = parseJsonLines(text ?? '');
      const transform = new ReplayTransform({ stream: '', target, renewMsgIds, markReplay: false });
      const job = new PublishJob(core.bus, 'import', lines.length);
      recordJob(jobLog, job, `import ${lines.length} lines → ${targetLabel(target)}`);
      async function* out(): AsyncGenerator<OutMsg[]> {
        const mapped: OutMsg[] = [];
        for (const l of lines as ParsedLine[]) {
          const o = transform.apply(l, { line: l.line });
          if (o) mapped.push({ ...o, timeMs: l.timeMs || undefined });
          else job.skip();
        }
        yield mapped;
      }
      jobs.add(job);
      job.run(nc, rate, out());
      return job.snapshot();
    },
  };
  core.router.register(withApiErrors(handlers));
}

/** A replay maps onto the target with fresh msg ids and `JetDeck-Replay-Of` on every message. */
function replayTransform(src: ResolvedSource, target: Target, mode: ReplayMode): ReplayTransform {
  const faithful = mode === 'faithful';
  return new ReplayTransform({
    stream: src.stream,
    target,
    sourceFilter: src.kind === 'range' ? src.filter : undefined,
    renewMsgIds: !faithful,
    markReplay: !faithful,
    faithful,
  });
}

/** Records the job in the job log (progress at a bounded rate, the outcome at its end). */
function recordJob(jobLog: JobLog, job: PublishJob, summary: string): void {
  const rec = jobLog.begin({
    id: job.id,
    kind: job.progress.kind,
    summary,
    figures: () => {
      const p = job.progress;
      return { total: p.total, sent: p.sent + p.failed, confirmed: p.sent, failed: p.failed };
    },
  });
  void job.finished.then((p) => rec.finish(p.state === 'running' ? 'done' : p.state, p.error));
}

function targetLabel(target: Target): string {
  return target.kind === 'original' ? 'original subjects' : target.subject;
}
