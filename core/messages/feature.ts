import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { messagesMethods, ReplayMethodName } from '../../api/features/messages';
import { ApiError } from '../../api/errors';
import type { ClientScope } from '../clients/client-scope';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { withApiErrors } from '../streams/api-errors';
import { readPage } from './browser';
import { toBrowsed } from './format';
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

/** Registers the messages feature: browser, single messages, live tail (replay and export/import: replay/feature.ts). */
export function registerMessages(core: Core): void {
  const tails = new Map<string, OwnedTail>();
  /** Tails per client, counting those still starting, so concurrent starts respect the cap. */
  const perClient = new Map<ClientScope, number>();
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
  core.connections.onDisconnected(stopTails);
  core.onDispose(stopTails);

  const ctx = async (): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> => {
    const conn = core.connections.require();
    return { nc: conn.nc, jsm: await conn.jsm() };
  };
  const tail = (id: string) => {
    const t = tails.get(id)?.tail;
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
  };
  core.router.register(withApiErrors(handlers));
}
