import { create } from 'zustand';
import type { SearchHit, SearchProgress } from '../../../api/features/search';
import { DEFAULT_SEARCH_FORM, type SearchForm } from './search-form';

interface SearchState {
  /** The search panel replaces the message list while open. */
  open: boolean;
  form: SearchForm;
  /** The search this view follows (the last one started). */
  searchId?: string;
  progress?: SearchProgress;
  /** Hits in sequence order, each once (bounded by the search's maxResults, ≤ 1000). */
  hits: SearchHit[];
  /** Set when the view lost its search (e.g. the connection to JetDeck dropped). */
  lost?: string;
  set: (p: Partial<SearchState>) => void;
  setForm: (p: Partial<SearchForm>) => void;
  /** Applies progress of the followed search and merges its new hits; others are ignored. */
  apply: (p: SearchProgress, hits: readonly SearchHit[]) => void;
}

export const useSearch = create<SearchState>()((set, get) => ({
  open: false,
  form: DEFAULT_SEARCH_FORM,
  hits: [],
  set: (p) => set(p),
  setForm: (p) => set({ form: { ...get().form, ...p } }),
  apply: (p, hits) => {
    const s = get();
    if (p.searchId !== s.searchId) return;
    // Events and a status reply may overlap: keep each sequence once, and never go back from done.
    const progress = s.progress?.done && !p.done ? s.progress : p;
    if (!hits.length) return set({ progress });
    const known = new Set(s.hits.map((h) => h.message.seq));
    const fresh = hits.filter((h) => !known.has(h.message.seq));
    const merged = fresh.length ? s.hits.concat(fresh).sort((a, b) => a.message.seq - b.message.seq) : s.hits;
    set({ progress, hits: merged });
  },
}));
