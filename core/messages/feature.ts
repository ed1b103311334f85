import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { messagesMethods, ReplayMethodName } from '../../api/features/messages';
import { ApiError } from '../../api/errors';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { withApiErrors } from '../streams/api-errors';
import { readPage } from './browser';
import { toBrowsed } from './format';
import { MsgGetReader } from './readers';
import { Tail } from './tail';

/** Registers the messages feature: browser, single messages, live tail (replay and export/import: replay/feature.ts). */
export function registerMessages(core: Core): void {
  const tails = new Map<string, Tail>();
  const stopTails = () => {
    for (const t of tails.values()) t.stop();
    tails.clear();
  };
  core.connections.onDisconnected(stopTails);
  core.onDispose(stopTails);

  const ctx = async (): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> => {
    const conn = core.connections.require();
    return { nc: conn.nc, jsm: await conn.jsm() };
  };
  const tail = (id: string) => {
    const t = tails.get(id);
    if (!t) throw new ApiError('not_found', `no live tail ${id}`);
    return t;
  };

  const handlers: Omit<HandlersFor<typeof messagesMethods>, ReplayMethodName> = {
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

    'messages.tail.start': async (input) => {
      const conn = core.connections.require();
      const jsm = await conn.jsm();
      const si = await jsm.streams.info(input.stream);
      const t = new Tail(core.bus, input, si);
      await t.start(conn.nc, conn.js, si);
      tails.set(t.id, t);
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
    'messages.tail.stop': ({ tailId }) => {
      const t = tails.get(tailId);
      t?.stop();
      tails.delete(tailId);
      return { stopped: !!t };
    },
    'messages.tail.list': () => ({ tails: [...tails.values()].map((t) => t.info()) }),
  };
  core.router.register(withApiErrors(handlers));
}
