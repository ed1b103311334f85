import { create } from 'zustand';
import type { KvBucketSummary, KvEntryView, KvKeyList, KvWatchInfo } from '../../../api/features/kv';
import { addLive, mergeChanges } from './model';

interface KvState {
  buckets?: KvBucketSummary[];
  bucketsError?: unknown;
  /** The bucket open in the right-hand pane. */
  selected?: string;
  /** Key filter (wildcards) and substring search of the open bucket. */
  filter: string;
  search: string;
  keys?: KvKeyList;
  keysError?: unknown;
  /** Live changes of the open bucket, newest first. */
  live: KvEntryView[];
  liveDropped: number;
  watch?: KvWatchInfo;
  set: (p: Partial<Omit<KvState, 'set' | 'select' | 'applyChanges'>>) => void;
  select: (bucket: string | undefined) => void;
  applyChanges: (entries: KvEntryView[], dropped: number) => void;
}

/** The KV screen's state: buckets, the open bucket's keys and its live changes. */
export const useKv = create<KvState>()((set, get) => ({
  filter: '',
  search: '',
  live: [],
  liveDropped: 0,
  set: (p) => set(p),
  select: (selected) =>
    set({
      selected,
      keys: undefined,
      keysError: undefined,
      live: [],
      liveDropped: 0,
      filter: '',
      search: '',
    }),
  applyChanges: (entries, dropped) => {
    const { keys, live, liveDropped, search } = get();
    const q = search.trim().toLowerCase();
    const listed = q ? entries.filter((e) => e.key.toLowerCase().includes(q)) : entries;
    set({
      live: addLive(live, entries),
      liveDropped: liveDropped + dropped,
      keys: keys && { ...keys, keys: mergeChanges(keys.keys, listed) },
    });
  },
}));
