import { NoRespondersError, RequestError, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import {
  MAX_SUBSCRIPTIONS_PER_CLIENT,
  type coreNatsMethods,
  type HeadersInput,
} from '../../api/features/corenats';
import { ApiError } from '../../api/errors';
import type { ClientScope } from '../clients/client-scope';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { withApiErrors } from '../streams/api-errors';
import { headersToRecord, recordToHeaders } from '../messages/format';
import { toCoreMessage } from './message';
import { CoreSubscription } from './subscription';

/** Reply payload bytes returned by core.request (the whole reply up to 1 MiB). */
const REPLY_PREVIEW_BYTES = 1024 * 1024;

interface Owned {
  sub: CoreSubscription;
  owner: ClientScope;
  off: () => void;
}

/**
 * Registers core NATS: publish, request/reply and live subscriptions. A subscription belongs
 * to the client that started it (at most MAX_SUBSCRIPTIONS_PER_CLIENT each) and ends when that
 * client goes away, when it is stopped, or when the connection closes.
 */
export function registerCoreNats(core: Core): void {
  const subs = new Map<string, Owned>();
  /** Counts subscriptions still starting too, so concurrent starts respect the cap. */
  const perClient = new Map<ClientScope, number>();
  const unclaim = (owner: ClientScope) => {
    const n = (perClient.get(owner) ?? 1) - 1;
    if (n > 0) perClient.set(owner, n);
    else perClient.delete(owner);
  };
  const release = (e: Owned) => {
    if (!subs.delete(e.sub.id)) return;
    e.off();
    unclaim(e.owner);
    e.sub.stop();
  };
  const stopAll = () => {
    for (const e of [...subs.values()]) release(e);
  };
  core.connections.onDisconnected(stopAll);
  core.onDispose(stopAll);

  const find = (subId: string) => {
    const e = subs.get(subId);
    if (!e) throw new ApiError('not_found', `no subscription ${subId} (stopped, or its client went away)`);
    return e.sub;
  };

  const handlers: HandlersFor<typeof coreNatsMethods> = {
    'core.publish': async ({ subject, data, encoding, headers, reply }) => {
      const { nc } = core.connections.require();
      const bytes = payloadBytes(nc, data, encoding);
      nc.publish(subject, bytes, { headers: natsHeaders(headers), ...(reply ? { reply } : {}) });
      // Resolves once the server has processed it (a closed connection rejects here).
      await nc.flush();
      return { subject, bytes: bytes.length };
    },

    'core.request': async ({ subject, data, encoding, headers, timeoutMs }) => {
      const { nc } = core.connections.require();
      const bytes = payloadBytes(nc, data, encoding);
      const t0 = performance.now();
      try {
        const m = await nc.request(subject, bytes, { timeout: timeoutMs, headers: natsHeaders(headers) });
        const elapsedMs = Math.round((performance.now() - t0) * 10) / 10;
        const preview = m.data.subarray(0, REPLY_PREVIEW_BYTES);
        return {
          ...toCoreMessage(
            {
              subject: m.subject,
              reply: m.reply || undefined,
              timeMs: Date.now(),
              headers: headersToRecord(m.headers),
            },
            preview,
            m.data.length,
          ),
          elapsedMs,
        };
      } catch (err) {
        throw requestError(err, subject, timeoutMs);
      }
    },

    'core.subscribe': async (input, ctx) => {
      const owner = ctx.client;
      if (!owner || owner.closed) {
        throw new ApiError(
          'unsupported',
          'a subscription streams to a connected client: start it from the app or over the WebSocket, not REST',
        );
      }
      const count = perClient.get(owner) ?? 0;
      if (count >= MAX_SUBSCRIPTIONS_PER_CLIENT) {
        throw new ApiError(
          'conflict',
          `this client already runs ${MAX_SUBSCRIPTIONS_PER_CLIENT} subscriptions, the most one client may run: stop one first`,
          { limit: MAX_SUBSCRIPTIONS_PER_CLIENT },
        );
      }
      perClient.set(owner, count + 1);
      const sub = new CoreSubscription(core.bus, input);
      try {
        await sub.start(core.connections.require().nc);
      } catch (err) {
        sub.stop();
        unclaim(owner);
        throw err;
      }
      const entry: Owned = { sub, owner, off: () => {} };
      subs.set(sub.id, entry);
      // Runs at once if the client went away while the subscription was starting.
      entry.off = owner.onClose(() => release(entry));
      // A subscription the server closed (permissions) or that failed is released too.
      if (sub.ended) release(entry);
      return sub.info();
    },
    'core.pause': ({ subId }) => {
      const s = find(subId);
      s.pause();
      return s.info();
    },
    'core.resume': ({ subId }) => {
      const s = find(subId);
      s.resume();
      return s.info();
    },
    'core.unsubscribe': ({ subId }) => {
      const e = subs.get(subId);
      if (e) release(e);
      return { stopped: !!e };
    },
    'core.subscriptions': () => ({ subscriptions: [...subs.values()].map((e) => e.sub.info()) }),
  };
  core.router.register(withApiErrors(handlers));
  // A subscription that ends by itself (server closed it) gives its slot back.
  core.bus.on('core.subscription.state', (info) => {
    const e = subs.get(info.subId);
    if (e && info.state === 'error') release(e);
  });
}

function payloadBytes(nc: NatsConnection, data: string, encoding: 'text' | 'base64'): Uint8Array {
  const bytes = encoding === 'base64' ? Buffer.from(data, 'base64') : Buffer.from(data, 'utf8');
  const max = nc.info?.max_payload;
  if (max && bytes.length > max) {
    throw new ApiError(
      'payload_too_large',
      `the payload is ${bytes.length} bytes; this server accepts at most ${max} (max_payload)`,
      { size: bytes.length, max },
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function natsHeaders(h: HeadersInput | undefined) {
  return recordToHeaders(h);
}

/** No responders and timeouts in words a user can act on. */
function requestError(err: unknown, subject: string, timeoutMs: number): unknown {
  const cause = err instanceof RequestError && err.cause instanceof Error ? err.cause : err;
  if (cause instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) {
    return new ApiError(
      'not_found',
      `no responders on ${subject}: nothing is subscribed to answer it`,
      undefined,
      'NoRespondersError',
    );
  }
  if (cause instanceof TimeoutError) {
    return new ApiError(
      'timeout',
      `no reply on ${subject} within ${timeoutMs} ms`,
      { timeoutMs },
      'TimeoutError',
    );
  }
  return err;
}
