import { create } from 'zustand';
import type {
  BrowsedMessage,
  PageStart,
  ReadMethod,
  TailInfo,
  TailMessage,
} from '../../../api/features/messages';

/** Most tail messages kept on screen; older ones fall off (the core counts its own drops). */
export const TAIL_KEEP = 1000;

export interface BrowseWindow {
  /** Contiguous matching messages around the visible window, ascending by seq. */
  rows: BrowsedMessage[];
  /** Row index (fractional) shown at the top of the viewport. */
  top: number;
  hasPrev: boolean;
  hasNext: boolean;
  total?: number;
  firstSeq: number;
  lastSeq: number;
  method?: ReadMethod;
}

interface MessagesState {
  stream?: string;
  subject: string;
  /** Last seek asked for (shown in the toolbar). */
  start: PageStart;
  win: BrowseWindow;
  loading: boolean;
  error?: string;
  /** Message shown in the detail pane. */
  focused?: BrowsedMessage | TailMessage;
  /** Sequences ticked for replay/export. */
  checked: number[];
  tail?: TailInfo;
  tailMessages: TailMessage[];
  tailDropped: number;
  set: (p: Partial<MessagesState>) => void;
  setWin: (w: Partial<BrowseWindow>) => void;
  toggleChecked: (seq: number) => void;
  addTail: (messages: TailMessage[], dropped: number) => void;
}

export const EMPTY_WINDOW: BrowseWindow = {
  rows: [],
  top: 0,
  hasPrev: false,
  hasNext: false,
  firstSeq: 0,
  lastSeq: 0,
};

/** The message browser's state: what is shown, never how it is fetched (see browse.ts). */
export const useMessages = create<MessagesState>()((set, get) => ({
  subject: '',
  start: { kind: 'first' },
  win: EMPTY_WINDOW,
  loading: false,
  checked: [],
  tailMessages: [],
  tailDropped: 0,
  set: (p) => set(p),
  setWin: (w) => set({ win: { ...get().win, ...w } }),
  toggleChecked: (seq) => {
    const c = get().checked;
    set({ checked: c.includes(seq) ? c.filter((s) => s !== seq) : [...c, seq].sort((a, b) => a - b) });
  },
  addTail: (messages, dropped) => {
    const s = get();
    const all = s.tailMessages.concat(messages);
    const over = Math.max(0, all.length - TAIL_KEEP);
    set({ tailMessages: over ? all.slice(over) : all, tailDropped: s.tailDropped + dropped + over });
  },
}));
