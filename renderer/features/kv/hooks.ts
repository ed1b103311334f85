import { useCallback, useEffect, useRef } from 'react';
import { api, onTransportReopen } from '../../api';
import { runLiveFeed } from '../../ui/live-feed';
import { toastError } from '../toasts/store';
import { useKv } from './store';

/** Loads the bucket list while connected; again on 'kv.changed'. */
export function useBuckets(enabled: boolean): { reload: () => void } {
  const seq = useRef(0);
  const reload = useCallback(() => {
    const my = ++seq.current;
    api
      .call('kv.list', {})
      .then((r) => {
        if (my !== seq.current) return;
        const { selected, select } = useKv.getState();
        useKv.getState().set({ buckets: r.buckets, bucketsError: undefined });
        // The open bucket was deleted (here or elsewhere): close it.
        if (selected && !r.buckets.some((b) => b.bucket === selected)) select(undefined);
      })
      .catch((err: unknown) => my === seq.current && useKv.getState().set({ bucketsError: err }));
  }, []);
  useEffect(() => {
    if (!enabled) return;
    reload();
    return api.on('kv.changed', () => reload());
  }, [enabled, reload]);
  return { reload };
}

/** Loads the open bucket's keys for the current filter and search (debounced while typing). */
export function useKeys(bucket: string | undefined): { reload: () => void } {
  const filter = useKv((s) => s.filter);
  const search = useKv((s) => s.search);
  const seq = useRef(0);
  const reload = useCallback(() => {
    const { selected, filter: f, search: q } = useKv.getState();
    if (!selected) return;
    const my = ++seq.current;
    api
      .call('kv.keys', {
        bucket: selected,
        filter: f.trim() || '>',
        search: q.trim() || undefined,
        limit: 1000,
      })
      .then((keys) => my === seq.current && useKv.getState().set({ keys, keysError: undefined }))
      .catch((err: unknown) => my === seq.current && useKv.getState().set({ keysError: err }));
  }, []);
  useEffect(() => {
    if (!bucket) return;
    const t = setTimeout(reload, 250);
    return () => clearTimeout(t);
  }, [bucket, filter, search, reload]);
  return { reload };
}

/**
 * Runs a live watch of the open bucket while `on`: started in the core, fed by batched
 * 'kv.watch' events, stopped when turned off, when the bucket or filter changes, or when the
 * screen closes; started again on a new socket after a drop (the old one's watch ended with it).
 */
export function useLiveWatch(bucket: string | undefined, filter: string, on: boolean): void {
  useEffect(() => {
    if (!on || !bucket) return;
    const store = useKv.getState;
    store().set({ live: [], liveDropped: 0, watch: undefined });
    return runLiveFeed({
      start: () => api.call('kv.watch.start', { bucket, filter: filter.trim() || '>' }),
      stop: ({ watchId }) => api.call('kv.watch.stop', { watchId }),
      listen: (current) => {
        const offBatch = api.on('kv.watch', (b) => {
          if (b.watchId === current()?.watchId) store().applyChanges(b.entries, b.dropped);
        });
        const offState = api.on('kv.watch.state', (info) => {
          if (info.watchId === current()?.watchId) store().set({ watch: info });
        });
        return () => (offBatch(), offState());
      },
      onReopen: onTransportReopen,
      show: (watch) => store().set({ watch }),
      fail: (err) => toastError('Could not watch the bucket', err),
    });
  }, [bucket, filter, on]);
}
