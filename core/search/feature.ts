import { MAX_SEARCHES_PER_CLIENT, type searchMethods } from '../../api/features/search';
import { ApiError } from '../../api/errors';
import type { ClientScope } from '../clients/client-scope';
import type { Core } from '../core';
import { readerFor } from '../messages/readers';
import { resolveSource } from '../replay/source';
import type { HandlersFor } from '../router';
import { withApiErrors } from '../streams/api-errors';
import { SearchJob } from './job';

/** Searches running at once across all clients (each reads a stream at full speed). */
export const MAX_RUNNING_SEARCHES = 16;
/** Finished searches kept for `search.status` (with their hits), newest first. */
const KEEP_FINISHED = 10;

interface OwnedSearch {
  job: SearchJob;
  owner?: ClientScope;
}

/**
 * Registers message search. A search belongs to the client that started it (cancelled when
 * that client goes away; REST callers have none and cancel by id) and to the connection
 * (cancelled when it drops) and the core (cancelled on dispose).
 */
export function registerSearch(core: Core): void {
  const searches = new Map<string, OwnedSearch>();
  const cancelAll = () => {
    for (const s of searches.values()) s.job.cancel();
  };
  core.connections.onDisconnected(cancelAll);
  core.onDispose(cancelAll);

  const running = (owner?: ClientScope) =>
    [...searches.values()].filter((s) => !s.job.done && (owner === undefined || s.owner === owner)).length;
  const get = (id: string) => {
    const s = searches.get(id);
    if (!s) throw new ApiError('not_found', `no search ${id}`);
    return s.job;
  };
  const prune = () => {
    const finished = [...searches.values()].filter((s) => s.job.done);
    for (const s of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      searches.delete(s.job.id);
  };

  const handlers: HandlersFor<typeof searchMethods> = {
    'search.start': async (input, callCtx) => {
      const owner = callCtx.client;
      if (owner?.closed) throw new ApiError('conflict', 'the client that asked for this search is gone');
      if (owner && running(owner) >= MAX_SEARCHES_PER_CLIENT) {
        throw new ApiError(
          'conflict',
          `this client already runs ${MAX_SEARCHES_PER_CLIENT} searches, the most one client may run: cancel one first`,
          { limit: MAX_SEARCHES_PER_CLIENT },
        );
      }
      if (running() >= MAX_RUNNING_SEARCHES) {
        throw new ApiError(
          'conflict',
          `${MAX_RUNNING_SEARCHES} searches are running, the most at once: wait for one to end or cancel one`,
          { limit: MAX_RUNNING_SEARCHES },
        );
      }
      const conn = core.connections.require();
      const jsm = await conn.jsm();
      const { match: _m, matches: _ms, maxResults: _r, maxScanned: _s, previewBytes: _p, ...range } = input;
      const src = await resolveSource(conn.nc, jsm, range);
      if (src.kind !== 'range') throw new ApiError('internal', 'a search reads a range');
      const job = new SearchJob(core.bus, input, src, readerFor(conn.nc, jsm, src.si).method);
      const entry: OwnedSearch = { job, owner };
      searches.set(job.id, entry);
      const off = owner?.onClose(() => job.cancel());
      void job.finished.then(() => {
        off?.();
        prune();
      });
      job.run(conn.nc, jsm);
      return job.snapshot();
    },
    'search.cancel': ({ searchId }) => {
      const job = get(searchId);
      job.cancel();
      return job.snapshot();
    },
    'search.status': ({ searchId }) => {
      const job = get(searchId);
      return { ...job.snapshot(), hits: job.hits };
    },
    'search.list': () => ({ searches: [...searches.values()].map((s) => s.job.snapshot()).reverse() }),
  };
  core.router.register(withApiErrors(handlers));
}
