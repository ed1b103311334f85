import { create } from 'zustand';
import type {
  CoreBatch,
  CoreMessage,
  CoreReply,
  CoreSubscribeInput,
  CoreSubscriptionInfo,
} from '../../../api/features/corenats';

/** Messages kept per subscription in the window (the core's buffer bounds each batch). */
export const SUB_KEEP = 1000;

export interface SubView {
  info: CoreSubscriptionInfo;
  /** What it was started with, to start it again on a new socket. */
  input: CoreSubscribeInput;
  messages: CoreMessage[];
  /** Dropped here (over SUB_KEEP) plus what the core dropped. */
  dropped: number;
}

interface CoreNatsState {
  subs: SubView[];
  selected?: string;
  focused?: CoreMessage;
  lastReply?: CoreReply;
  set: (p: Partial<Omit<CoreNatsState, 'set'>>) => void;
  added: (info: CoreSubscriptionInfo, input: CoreSubscribeInput) => void;
  /** A new id for a subscription started again (same place in the list, messages kept). */
  replaced: (oldId: string, info: CoreSubscriptionInfo) => void;
  removed: (subId: string) => void;
  info: (info: CoreSubscriptionInfo) => void;
  batch: (b: CoreBatch) => void;
}

const update = (subs: SubView[], id: string, fn: (s: SubView) => SubView) =>
  subs.map((s) => (s.info.subId === id ? fn(s) : s));

/** Core NATS screen state: the window's subscriptions and their recent messages, the last reply. */
export const useCoreNats = create<CoreNatsState>()((set, get) => ({
  subs: [],
  set: (p) => set(p),
  added: (info, input) =>
    set({ subs: [...get().subs, { info, input, messages: [], dropped: 0 }], selected: info.subId }),
  replaced: (oldId, info) =>
    set({
      subs: update(get().subs, oldId, (s) => ({ ...s, info })),
      selected: get().selected === oldId ? info.subId : get().selected,
    }),
  removed: (subId) => {
    const subs = get().subs.filter((s) => s.info.subId !== subId);
    const selected = get().selected === subId ? subs[subs.length - 1]?.info.subId : get().selected;
    set({ subs, selected, ...(selected !== get().selected ? { focused: undefined } : {}) });
  },
  info: (info) => set({ subs: update(get().subs, info.subId, (s) => ({ ...s, info })) }),
  batch: ({ subId, messages, dropped, received }) =>
    set({
      subs: update(get().subs, subId, (s) => {
        const all = s.messages.concat(messages);
        const over = Math.max(0, all.length - SUB_KEEP);
        const info = { ...s.info, received };
        return { ...s, info, messages: over ? all.slice(over) : all, dropped: s.dropped + dropped + over };
      }),
    }),
}));
