import { api } from '../../api';
import type { MessagePage, PageStart } from '../../../api/features/messages';
import { toastError } from '../toasts/store';
import { useMessages } from './store';

/** Messages per request; the list asks for the next page when within MARGIN rows of an edge. */
export const PAGE = 100;
const MARGIN = 60;
/** Rows kept around the viewport; pages beyond are dropped (so memory stays flat). */
export const MAX_ROWS = 400;
/** Payload bytes kept per listed message; the detail pane fetches the rest. */
const PREVIEW_BYTES = 512;

let generation = 0;
let loadingPrev = false;
let loadingNext = false;
/** Scroll asked for beyond the loaded rows while a page loads; applied when it arrives. */
let pending = 0;
const MAX_PENDING = MAX_ROWS;

async function fetchPage(start: PageStart): Promise<MessagePage> {
  const { stream, subject } = useMessages.getState();
  return api.call('messages.page', {
    stream: stream!,
    start,
    subject: subject.trim() || undefined,
    pageSize: PAGE,
    previewBytes: PREVIEW_BYTES,
  });
}

function bounds(p: MessagePage) {
  return {
    firstSeq: p.streamFirstSeq,
    lastSeq: p.streamLastSeq,
    method: p.method,
    ...(p.total !== undefined ? { total: p.total } : {}),
  };
}

/** Jumps to first / last / a sequence / a time; `visible` rows are filled when the stream allows. */
export async function seek(start: PageStart, visible: number): Promise<void> {
  const s = useMessages.getState();
  if (!s.stream) return;
  const my = ++generation;
  loadingPrev = loadingNext = false;
  pending = 0;
  s.set({ start, loading: true, error: undefined });
  try {
    const page = await fetchPage(start);
    if (my !== generation) return;
    let rows = page.messages;
    let hasPrev = page.hasPrev;
    // Near the end a forward page is short: fill the view with the page before it.
    if ((start.kind === 'last' || rows.length < visible) && hasPrev && page.first !== undefined) {
      const before = await fetchPage({ kind: 'cursor', cursor: `b${page.first}` });
      if (my !== generation) return;
      rows = before.messages.concat(rows);
      hasPrev = before.hasPrev;
    }
    // Show the sought message at the top unless that would leave the view part empty.
    const maxTop = Math.max(0, rows.length - visible);
    const top = start.kind === 'last' ? maxTop : Math.min(rows.length - page.messages.length, maxTop);
    useMessages.getState().set({
      loading: false,
      win: { rows, top, hasPrev, hasNext: page.hasNext, ...bounds(page) },
    });
  } catch (err) {
    if (my !== generation) return;
    useMessages.getState().set({ loading: false, error: (err as Error).message });
  }
}

/** Moves the viewport by `delta` rows and loads/drops pages at the edges as needed. */
export function scrollBy(delta: number, visible: number): void {
  const { win, setWin } = useMessages.getState();
  const max = Math.max(0, win.rows.length - visible);
  if (pending * delta < 0) pending = 0; // changed direction: forget the backlog
  const want = win.top + delta;
  const top = Math.max(0, Math.min(max, want));
  // Keep what the edge swallowed (up to a page) if more rows are coming, so a fast wheel is not lost.
  if ((want > max && win.hasNext) || (want < 0 && win.hasPrev))
    pending = Math.max(-MAX_PENDING, Math.min(MAX_PENDING, pending + want - top));
  if (top !== win.top) setWin({ top });
  void ensureAround(visible);
}

async function ensureAround(visible: number): Promise<void> {
  const my = generation;
  const { win } = useMessages.getState();
  if (win.rows.length === 0) return;
  try {
    if (win.top < MARGIN && win.hasPrev && !loadingPrev) {
      loadingPrev = true;
      const p = await fetchPage({ kind: 'cursor', cursor: `b${win.rows[0].seq}` }).finally(
        () => (loadingPrev = false),
      );
      if (my !== generation) return;
      const w = useMessages.getState().win;
      if (w.rows[0]?.seq !== win.rows[0].seq) return;
      let rows = p.messages.concat(w.rows);
      let hasNext = w.hasNext;
      if (rows.length > MAX_ROWS) {
        rows = rows.slice(0, MAX_ROWS);
        hasNext = true;
      }
      // Only an upward backlog applies here; a downward one waits for the next page.
      const want = w.top + p.messages.length + Math.min(0, pending);
      const top = Math.max(0, want);
      if (pending < 0) pending = p.hasPrev ? Math.min(0, want) : 0;
      useMessages.getState().setWin({ rows, top, hasPrev: p.hasPrev, hasNext, ...bounds(p) });
    } else if (win.top + visible > win.rows.length - MARGIN && win.hasNext && !loadingNext) {
      loadingNext = true;
      const last = win.rows[win.rows.length - 1].seq;
      const p = await fetchPage({ kind: 'cursor', cursor: `a${last}` }).finally(() => (loadingNext = false));
      if (my !== generation) return;
      const w = useMessages.getState().win;
      if (w.rows[w.rows.length - 1]?.seq !== last) return;
      let rows = w.rows.concat(p.messages);
      let top = w.top;
      let hasPrev = w.hasPrev;
      const drop = rows.length - MAX_ROWS;
      if (drop > 0) {
        rows = rows.slice(drop);
        top -= drop;
        hasPrev = true;
      }
      const want = top + Math.max(0, pending);
      top = Math.min(Math.max(0, rows.length - visible), want);
      if (pending > 0) pending = p.hasNext ? Math.max(0, want - top) : 0;
      useMessages.getState().setWin({ rows, top, hasPrev, hasNext: p.hasNext, ...bounds(p) });
    } else return;
    // A fast scroll may already be near the next edge.
    void ensureAround(visible);
  } catch (err) {
    toastError('Could not read messages', err);
  }
}

/** Re-reads the stream bounds and the current window (after deletes, purges or new messages). */
export function refresh(visible: number): Promise<void> {
  const { win } = useMessages.getState();
  const at = win.rows[Math.floor(win.top)]?.seq;
  return seek(at !== undefined ? { kind: 'seq', seq: at } : useMessages.getState().start, visible);
}
