import { create } from 'zustand';
import type { RatesEvent, StreamListResult, STREAM_SORT_KEYS } from '../../../api/features/streams';

export type StreamSort = (typeof STREAM_SORT_KEYS)[number];
export const PAGE_SIZE = 50;
const MAX_POINTS = 60;

export interface StreamQuery {
  search: string;
  sort: StreamSort;
  order: 'asc' | 'desc';
  offset: number;
}

interface StreamsState {
  query: StreamQuery;
  result?: StreamListResult;
  error?: unknown;
  loading: boolean;
  /** Sparkline points per stream: from the last list, extended by 'streams.rates'. */
  rates: Record<string, number[]>;
  setQuery: (q: Partial<StreamQuery>) => void;
  setResult: (r: StreamListResult) => void;
  setError: (e: unknown) => void;
  setLoading: (v: boolean) => void;
  addRates: (ev: RatesEvent) => void;
}

/** The stream list as the core last returned it, plus what the user asked for. */
export const useStreams = create<StreamsState>()((set, get) => ({
  query: { search: '', sort: 'name', order: 'asc', offset: 0 },
  loading: false,
  rates: {},
  setQuery: (q) => set({ query: { ...get().query, ...q } }),
  setResult: (result) => {
    const rates = { ...get().rates };
    // The core keeps the full history; the list's copy is authoritative.
    for (const s of result.streams) rates[s.name] = s.rate;
    set({ result, error: undefined, rates });
  },
  setError: (error) => set({ error }),
  setLoading: (loading) => set({ loading }),
  addRates: (ev) => {
    const rates = { ...get().rates };
    for (const [name, r] of Object.entries(ev.rates))
      rates[name] = [...(rates[name] ?? []), r].slice(-MAX_POINTS);
    set({ rates });
  },
}));
