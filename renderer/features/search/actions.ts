import { useEffect } from 'react';
import { api, onTransportReopen } from '../../api';
import type { SearchInput } from '../../../api/features/search';
import { toastError } from '../toasts/store';
import { useSearch } from './store';

/** Starts a search (replacing what the view followed) and catches up on what it found meanwhile. */
export async function startSearch(input: SearchInput): Promise<void> {
  const prev = useSearch.getState();
  if (prev.searchId && prev.progress && !prev.progress.done) await cancelSearch();
  useSearch.getState().set({ searchId: undefined, progress: undefined, hits: [], lost: undefined });
  const p = await api.call('search.start', input);
  useSearch.getState().set({ searchId: p.searchId, progress: p });
  // Events sent before the id was known were ignored: the status has every hit so far.
  await resync();
}

export async function cancelSearch(): Promise<void> {
  const { searchId, progress } = useSearch.getState();
  if (!searchId || progress?.done) return;
  try {
    useSearch.getState().apply(await api.call('search.cancel', { searchId }), []);
  } catch (err) {
    toastError('Could not cancel the search', err);
  }
}

async function resync(): Promise<void> {
  const { searchId } = useSearch.getState();
  if (!searchId) return;
  try {
    const st = await api.call('search.status', { searchId });
    useSearch.getState().apply(st, st.hits);
  } catch {
    // Gone on the server (pruned, or the server restarted): say so instead of a frozen bar.
    if (useSearch.getState().searchId === searchId && !useSearch.getState().progress?.done)
      useSearch
        .getState()
        .set({ lost: 'The search ended on the server before its results reached this view.' });
  }
}

/**
 * Follows the view's search through batched 'search.progress' events while mounted, and
 * catches up on mount (the screen may have been closed while it ran).
 */
export function useSearchEvents(): void {
  useEffect(() => {
    const off = api.on('search.progress', (p) => useSearch.getState().apply(p, p.hits));
    void resync();
    // The server cancels a socket's searches when the socket drops.
    const offReopen = onTransportReopen(() => {
      const s = useSearch.getState();
      if (s.searchId && !s.progress?.done)
        s.set({ lost: 'The connection to JetDeck dropped, which stopped the search. Start it again.' });
    });
    return () => {
      off();
      offReopen();
    };
  }, []);
}
