import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { MAX_EXPORT_CONTENT_BYTES, type messagesMethods } from '../../api/features/messages';
import { ApiError } from '../../api/errors';
import type { ClientScope } from '../clients/client-scope';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { withApiErrors } from '../streams/api-errors';
import { JobRegistry, PublishJob, type OutMsg } from '../replay/jobs';
import {
  countSource,
  readSource,
  resolveSource,
  type ResolvedSource,
  type SourceSpec,
} from '../replay/source';
import { ReplayTransform, type Target } from '../replay/transform';
import { readPage } from './browser';
import { toBrowsed } from './format';
import { parseJsonLines, toJsonLine, type ParsedLine } from './jsonl';
import { MsgGetReader } from './readers';
import { Tail } from './tail';

/** Live tails one client (a WebSocket, an app window) may run at once. */
export const MAX_TAILS_PER_CLIENT = 8;

interface OwnedTail {
  tail: Tail;
  owner: ClientScope;
  /** Unregisters the owner's close hook. */
  off: () => void;
}

/** Registers the messages feature: browser, single messages, live tail, replay, export/import. */
export function registerMessages(core: Core): void {
  const tails = new Map<string, OwnedTail>();
  /** Tails per client, counting those still starting, so concurrent starts respect the cap. */
  const perClient = new Map<ClientScope, number>();
  const jobs = new JobRegistry();
  const release = (e: OwnedTail) => {
    if (!tails.delete(e.tail.id)) return Promise.resolve();
    e.off();
    const n = (perClient.get(e.owner) ?? 1) - 1;
    if (n > 0) perClient.set(e.owner, n);
    else perClient.delete(e.owner);
    return e.tail.stop();
  };
  const stopTails = () => {
    for (const e of [...tails.values()]) void release(e);
  };
  core.connections.onDisconnected(() => {
    stopTails();
    jobs.cancelAll();
  });
  core.onDispose(() => {
    stopTails();
    jobs.cancelAll();
  });

  const ctx = async (): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> => {
    const conn = core.connections.require();
    return { nc: conn.nc, jsm: await conn.jsm() };
  };
  const tail = (id: string) => {
    const t = tails.get(id)?.tail;
    if (!t) throw new ApiError('not_found', `no live tail ${id}`);
    return t;
  };

  async function* exportLines(
    nc: NatsConnection,
    jsm: JetStreamManager,
    spec: SourceSpec,
  ): AsyncGenerator<string[]> {
    const src = await resolveSource(nc, jsm, spec);
    for await (const batch of readSource(nc, jsm, src)) yield batch.map(toJsonLine);
  }

  const handlers: HandlersFor<typeof messagesMethods> = {
    'messages.page': async (input) => {
      const { nc, jsm } = await ctx();
      return readPage(nc, jsm, input);
    },

    'messages.get': async ({ stream, seq }) => {
      const { nc, jsm } = await ctx();
      const si = await jsm.streams.info(stream);
      const m = await new MsgGetReader(nc, stream, !!si.config.allow_direct).getSeq(seq);
      if (!m)
        throw new ApiError(
          'not_found',
          `message ${seq} is not in stream ${stream} (deleted or never stored)`,
        );
      return toBrowsed(m, Number.MAX_SAFE_INTEGER);
    },

    'messages.delete': async ({ stream, seq, erase }) => {
      const { jsm } = await ctx();
      return { deleted: await jsm.streams.deleteMessage(stream, seq, erase) };
    },

    'messages.tail.start': async (input, callCtx) => {
      // A tail streams batches to one client as events; it lives as long as that client.
      const owner = callCtx.client;
      if (!owner || owner.closed) {
        throw new ApiError(
          'unsupported',
          'a live tail streams to a connected client: start it from the app or over the WebSocket, not REST',
        );
      }
      const count = perClient.get(owner) ?? 0;
      if (count >= MAX_TAILS_PER_CLIENT) {
        throw new ApiError(
          'conflict',
          `this client already runs ${MAX_TAILS_PER_CLIENT} live tails, the most one client may run: stop one first`,
          { limit: MAX_TAILS_PER_CLIENT },
        );
      }
      perClient.set(owner, count + 1);
      let t: Tail;
      try {
        const conn = core.connections.require();
        const jsm = await conn.jsm();
        const si = await jsm.streams.info(input.stream);
        t = new Tail(core.bus, input, si);
        await t.start(conn.nc, conn.js, si);
      } catch (err) {
        const n = (perClient.get(owner) ?? 1) - 1;
        if (n > 0) perClient.set(owner, n);
        else perClient.delete(owner);
        throw err;
      }
      const entry: OwnedTail = { tail: t, owner, off: () => {} };
      tails.set(t.id, entry);
      // Runs at once if the client went away while the tail was starting.
      entry.off = owner.onClose(() => void release(entry));
      return t.info();
    },
    'messages.tail.pause': ({ tailId }) => {
      const t = tail(tailId);
      t.pause();
      return t.info();
    },
    'messages.tail.resume': ({ tailId }) => {
      const t = tail(tailId);
      t.resume();
      return t.info();
    },
    'messages.tail.stop': async ({ tailId }) => {
      const e = tails.get(tailId);
      if (e) await release(e);
      return { stopped: !!e };
    },
    'messages.tail.list': () => ({ tails: [...tails.values()].map((e) => e.tail.info()) }),

    'replay.dryRun': async ({ source, target }) => {
      const { nc, jsm } = await ctx();
      const src = await resolveSource(nc, jsm, source);
      const transform = replayTransform(src, target);
      const r = await countSource(nc, jsm, src);
      return { ...r, sampleTarget: r.first ? transform.targetFor(r.first.subject) : undefined };
    },

    'replay.start': async ({ source, target, rate }) => {
      const { nc, jsm } = await ctx();
      const src = await resolveSource(nc, jsm, source);
      const transform = replayTransform(src, target);
      const { count } = await countSource(nc, jsm, src);
      const job = new PublishJob(core.bus, 'replay', count);
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

    'messages.exportToFile': async ({ source, path }) => {
      if (!isAbsolute(path))
        throw new ApiError('invalid_input', 'path must be absolute (on the machine running JetDeck)');
      const { nc, jsm } = await ctx();
      const out = createWriteStream(path, { flags: 'w', mode: 0o600 });
      const opened = new Promise<void>((resolve, reject) => {
        out.once('open', () => resolve());
        out.once('error', reject);
      });
      await opened.catch((err: Error) => {
        throw new ApiError('invalid_input', `cannot write ${path}: ${err.message}`);
      });
      let bytes = 0;
      let count = 0;
      try {
        for await (const lines of exportLines(nc, jsm, source)) {
          const chunk = lines.join('\n') + '\n';
          bytes += Buffer.byteLength(chunk);
          count += lines.length;
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
      } finally {
        await new Promise<void>((resolve) => out.end(() => resolve()));
      }
      return { path, count, bytes };
    },

    'messages.import': async ({ content, path, target, rate, renewMsgIds }) => {
      const { nc } = await ctx();
      let text = content;
      if (path !== undefined) {
        if (!isAbsolute(path))
          throw new ApiError('invalid_input', 'path must be absolute (on the machine running JetDeck)');
        text = await readFile(path, 'utf8').catch((err: Error) => {
          throw new ApiError('invalid_input', `cannot read ${path}: ${err.message}`);
        });
      }
      const lines = parseJsonLines(text ?? '');
      const transform = new ReplayTransform({ stream: '', target, renewMsgIds, markReplay: false });
      const job = new PublishJob(core.bus, 'import', lines.length);
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
function replayTransform(src: ResolvedSource, target: Target): ReplayTransform {
  return new ReplayTransform({
    stream: src.stream,
    target,
    sourceFilter: src.kind === 'range' ? src.filter : undefined,
    renewMsgIds: true,
    markReplay: true,
  });
}
