import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { BrowsedMessage, TailMessage } from '../../../api/features/messages';
import { formatCount } from '../../ui/format';
import { scrollBy, seek } from './browse';
import { MessageRow } from './MessageRow';
import { useMessages } from './store';

export const ROW_H = 30;
const MIN_THUMB = 28;
/** While the scrollbar thumb is dragged, seek at most this often. */
const DRAG_SEEK_MS = 120;

/**
 * The browser's list. Only the loaded window (a few pages around the viewport) exists; the
 * scrollbar is drawn by us and maps its track to the stream's sequence range, so a million (or a
 * billion) messages scroll without a giant element: dragging or clicking the track seeks by
 * sequence, the wheel and keys move row by row and load pages at the edges.
 */
export function MessageList({ onVisibleChange }: { onVisibleChange?: (n: number) => void }) {
  const win = useMessages((s) => s.win);
  const focused = useMessages((s) => s.focused);
  const checked = useMessages((s) => s.checked);
  const loading = useMessages((s) => s.loading);
  const viewport = useRef<HTMLDivElement>(null);
  const [height, setHeight] = useState(400);
  const visible = Math.max(1, Math.floor(height / ROW_H));
  const [drag, setDrag] = useState<number>();

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    onVisibleChange?.(visible);
  }, [visible, onVisibleChange]);

  // Wheel: a native listener so preventDefault works (React's is passive).
  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const px = e.deltaMode === 1 ? e.deltaY * ROW_H : e.deltaMode === 2 ? e.deltaY * height : e.deltaY;
      scrollBy(px / ROW_H, visible);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [visible, height]);

  const onFocus = useCallback(
    (m: BrowsedMessage | TailMessage) => useMessages.getState().set({ focused: m }),
    [],
  );
  const onCheck = useCallback((seq: number) => useMessages.getState().toggleChecked(seq), []);

  const onKey = (e: React.KeyboardEvent) => {
    const moves: Record<string, number> = {
      ArrowDown: 1,
      ArrowUp: -1,
      PageDown: visible - 1,
      PageUp: -(visible - 1),
    };
    if (e.key in moves) {
      e.preventDefault();
      const rows = useMessages.getState().win.rows;
      const cur = focused?.seq !== undefined ? rows.findIndex((r) => r.seq === focused.seq) : -1;
      const idx = Math.max(
        0,
        Math.min(rows.length - 1, (cur < 0 ? Math.floor(win.top) : cur) + moves[e.key]),
      );
      if (rows[idx]) useMessages.getState().set({ focused: rows[idx] });
      if (idx < win.top) scrollBy(idx - win.top, visible);
      else if (idx >= win.top + visible) scrollBy(idx - (win.top + visible) + 1, visible);
    } else if (e.key === 'Home') {
      e.preventDefault();
      void seek({ kind: 'first' }, visible);
    } else if (e.key === 'End') {
      e.preventDefault();
      void seek({ kind: 'last' }, visible);
    }
  };

  // Scrollbar geometry: position by sequence, not by row count.
  const span = Math.max(1, win.lastSeq - win.firstSeq);
  const topSeq = win.rows[Math.floor(win.top)]?.seq ?? win.firstSeq;
  const atEnd = !win.hasNext && win.top >= win.rows.length - visible;
  const fraction = drag ?? (atEnd ? 1 : Math.min(1, Math.max(0, (topSeq - win.firstSeq) / span)));
  const count = win.total ?? win.lastSeq - win.firstSeq + 1;
  const thumbH = Math.min(height, Math.max(MIN_THUMB, (height * visible) / Math.max(visible, count)));
  const thumbTop = fraction * (height - thumbH);

  const seekFraction = useCallback(
    (f: number) => {
      const { firstSeq, lastSeq } = useMessages.getState().win;
      if (f >= 0.999) return seek({ kind: 'last' }, visible);
      if (f <= 0.001) return seek({ kind: 'first' }, visible);
      return seek({ kind: 'seq', seq: Math.round(firstSeq + f * (lastSeq - firstSeq)) }, visible);
    },
    [visible],
  );

  const track = useRef<HTMLDivElement>(null);
  const fractionAt = (clientY: number) => {
    const r = track.current!.getBoundingClientRect();
    return Math.min(1, Math.max(0, (clientY - r.top - thumbH / 2) / Math.max(1, r.height - thumbH)));
  };
  const lastDragSeek = useRef(0);
  const onThumbDown = (e: React.PointerEvent) => {
    e.preventDefault();
    e.stopPropagation();
    (e.target as HTMLElement).setPointerCapture(e.pointerId);
    setDrag(fraction);
  };
  const onThumbMove = (e: React.PointerEvent) => {
    if (drag === undefined) return;
    const f = fractionAt(e.clientY);
    setDrag(f);
    const now = performance.now();
    if (now - lastDragSeek.current > DRAG_SEEK_MS) {
      lastDragSeek.current = now;
      void seekFraction(f);
    }
  };
  const onThumbUp = (e: React.PointerEvent) => {
    if (drag === undefined) return;
    const f = fractionAt(e.clientY);
    setDrag(undefined);
    void seekFraction(f);
  };
  const dragSeq = drag !== undefined ? Math.round(win.firstSeq + drag * span) : undefined;

  const first = Math.floor(win.top);
  const shown = win.rows.slice(first, first + visible + 1);
  const offset = -(win.top - first) * ROW_H;

  return (
    <div className="msg-list" data-testid="message-list" data-loading={loading} data-top-seq={topSeq}>
      <div
        className="msg-viewport"
        ref={viewport}
        tabIndex={0}
        onKeyDown={onKey}
        role="grid"
        aria-label="Messages"
        aria-rowcount={count}
        data-testid="message-viewport"
      >
        <div className="msg-rows" style={{ transform: `translateY(${offset}px)` }}>
          {shown.map((m) => (
            <MessageRow
              key={m.seq}
              m={m}
              focused={focused?.seq === m.seq}
              checked={checked.includes(m.seq)}
              onFocus={onFocus}
              onCheck={onCheck}
              style={{ height: ROW_H }}
            />
          ))}
        </div>
      </div>
      <div
        className="msg-scrollbar"
        ref={track}
        onPointerDown={(e) => void seekFraction(fractionAt(e.clientY))}
        role="scrollbar"
        aria-orientation="vertical"
        aria-valuemin={win.firstSeq}
        aria-valuemax={win.lastSeq}
        aria-valuenow={topSeq}
        aria-label="Position in the stream by sequence"
        data-testid="message-scrollbar"
      >
        <div
          className={`msg-thumb${drag !== undefined ? ' dragging' : ''}`}
          style={{ height: thumbH, top: thumbTop }}
          onPointerDown={onThumbDown}
          onPointerMove={onThumbMove}
          onPointerUp={onThumbUp}
          data-testid="message-thumb"
        />
        {dragSeq !== undefined && (
          <div className="msg-drag-tip" style={{ top: thumbTop }}>
            #{formatCount(dragSeq)}
          </div>
        )}
      </div>
    </div>
  );
}
