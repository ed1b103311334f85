import { useCallback, useEffect, useRef } from 'react';
import { api } from '../../api';
import { PAGE_SIZE, useStreams } from './store';

const REFRESH_MS = 5000;
const WATCH_TTL_MS = 30_000;

/**
 * Keeps the stream list fresh while the screen is open: reloads on query changes, on
 * 'streams.changed' and every few seconds; holds a rate-watch lease so the core samples the
 * sparklines only while someone looks.
 */
export function useStreamList(enabled: boolean): { reload: () => void } {
  const query = useStreams((s) => s.query);
  const seq = useRef(0);

  const reload = useCallback(() => {
    const q = useStreams.getState().query;
    const my = ++seq.current;
    useStreams.getState().setLoading(true);
    api
      .call('streams.list', {
        search: q.search || undefined,
        sort: q.sort,
        order: q.order,
        offset: q.offset,
        limit: PAGE_SIZE,
      })
      .then((r) => my === seq.current && useStreams.getState().setResult(r))
      .catch((err: unknown) => my === seq.current && useStreams.getState().setError(err))
      .finally(() => my === seq.current && useStreams.getState().setLoading(false));
  }, []);

  useEffect(() => {
    if (enabled) reload();
  }, [enabled, query, reload]);

  useEffect(() => {
    if (!enabled) return;
    const offChanged = api.on('streams.changed', () => reload());
    const offRates = api.on('streams.rates', (ev) => useStreams.getState().addRates(ev));
    const timer = setInterval(() => document.visibilityState === 'visible' && reload(), REFRESH_MS);
    let watchId: string | undefined;
    let stopped = false;
    const renew = () =>
      api
        .call('streams.watch', { watchId, ttlMs: WATCH_TTL_MS })
        .then((w) => {
          watchId = w.watchId;
          if (stopped) void api.call('streams.unwatch', { watchId }).catch(() => {});
        })
        .catch(() => {});
    void renew();
    const lease = setInterval(() => void renew(), WATCH_TTL_MS / 2);
    return () => {
      stopped = true;
      offChanged();
      offRates();
      clearInterval(timer);
      clearInterval(lease);
      if (watchId) void api.call('streams.unwatch', { watchId }).catch(() => {});
    };
  }, [enabled, reload]);

  return { reload };
}
