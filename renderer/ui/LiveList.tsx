import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';

/**
 * A live, bounded list (message tail, core subscription): virtualized rows, newest at the
 * bottom, following the end unless the user scrolls up (then a "Follow ↓" button brings it
 * back). `status` fills the bar's left side and `actions` its right side.
 */
export function LiveList<T>({
  rows,
  rowHeight,
  renderRow,
  status,
  actions,
  empty,
  className,
  testId,
  listTestId,
  listLabel,
  listClassName,
  state,
}: {
  rows: readonly T[];
  rowHeight: number;
  /** One row, placed with `style` (absolute, translated to its slot). */
  renderRow: (row: T, key: string | number | bigint, style: CSSProperties) => ReactNode;
  status: ReactNode;
  actions?: ReactNode;
  empty: ReactNode;
  className: string;
  testId: string;
  listTestId: string;
  listLabel?: string;
  listClassName?: string;
  /** The feed's state, as `data-state` on the list's root. */
  state?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 10,
  });
  // `rows` is a new array on every batch, also when a full buffer keeps its length.
  useEffect(() => {
    if (follow && rows.length) v.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [rows, follow, v]);
  const onScroll = () => {
    const el = scroller.current;
    if (el) setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < rowHeight * 2);
  };
  return (
    <div className={`live-list ${className}`} data-testid={testId} data-state={state}>
      <div className="tail-bar">
        {status}
        <span className="spacer" />
        {!follow && (
          <button className="btn small" onClick={() => setFollow(true)}>
            Follow ↓
          </button>
        )}
        {actions}
      </div>
      <div className="tail-scroll" ref={scroller} onScroll={onScroll} data-testid={listTestId}>
        {rows.length === 0 ? (
          <p className="muted tail-empty">{empty}</p>
        ) : (
          <div
            className={listClassName}
            role={listLabel ? 'list' : undefined}
            aria-label={listLabel}
            style={{ height: v.getTotalSize(), position: 'relative' }}
          >
            {v.getVirtualItems().map((it) =>
              renderRow(rows[it.index], it.key, {
                position: 'absolute',
                top: 0,
                left: 0,
                right: 0,
                height: rowHeight,
                transform: `translateY(${it.start}px)`,
              }),
            )}
          </div>
        )}
      </div>
    </div>
  );
}

/** The status dot of a live feed's state. */
export function liveDot(state: string | undefined): string {
  return state === 'running' ? 'ok pulse' : state === 'paused' ? 'warn' : state === 'error' ? 'bad' : '';
}
