import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BrowsedMessage, TailMessage } from '../../../api/features/messages';
import { formatCount } from '../../ui/format';
import { ROW_H } from './MessageList';
import { MessageRow } from './MessageRow';
import { TAIL_KEEP, useMessages } from './store';
import { setTailPaused } from './useTail';

/** Live tail: newest at the bottom, follows unless you scroll up; bounded with a dropped count. */
export function TailList() {
  const messages = useMessages((s) => s.tailMessages);
  const dropped = useMessages((s) => s.tailDropped);
  const tail = useMessages((s) => s.tail);
  const focused = useMessages((s) => s.focused);
  const scroller = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const v = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 10,
  });

  useEffect(() => {
    if (follow && messages.length) v.scrollToIndex(messages.length - 1, { align: 'end' });
  }, [messages, follow, v]);
  const onScroll = () => {
    const el = scroller.current;
    if (el) setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < ROW_H * 2);
  };
  const onFocus = useCallback(
    (m: BrowsedMessage | TailMessage) => useMessages.getState().set({ focused: m }),
    [],
  );
  const paused = tail?.state === 'paused';

  return (
    <div className="tail" data-testid="tail">
      <div className="tail-bar">
        <span
          className={`dot ${tail?.state === 'running' ? 'ok pulse' : tail?.state === 'paused' ? 'warn' : tail?.state === 'error' ? 'bad' : ''}`}
        />
        <span data-testid="tail-state">{tail ? tail.state : 'starting…'}</span>
        {tail?.error && <span className="error-text small">{tail.error}</span>}
        <span className="muted small" data-testid="tail-count">
          {formatCount(messages.length)} shown (last {formatCount(TAIL_KEEP)} kept)
        </span>
        <span className={`small ${dropped ? 'warn-text' : 'muted'}`} data-testid="tail-dropped">
          dropped {formatCount(dropped)}
        </span>
        {tail?.mode === 'core_subscription' && (
          <span
            className="badge"
            title="WorkQueue/Interest streams are followed with a plain subscription so nothing is consumed; sequences are not known"
          >
            no seq
          </span>
        )}
        <span className="spacer" />
        {!follow && (
          <button className="btn small" onClick={() => setFollow(true)}>
            Follow ↓
          </button>
        )}
        <button
          className="btn small"
          disabled={!tail || tail.state === 'stopped'}
          onClick={() => void setTailPaused(!paused)}
          data-testid="tail-pause"
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <div className="tail-scroll" ref={scroller} onScroll={onScroll} data-testid="tail-list">
        {messages.length === 0 ? (
          <p className="muted tail-empty">Waiting for new messages…</p>
        ) : (
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {v.getVirtualItems().map((it) => {
              const m = messages[it.index];
              return (
                <MessageRow
                  key={it.key}
                  m={m}
                  focused={focused === m}
                  onFocus={onFocus}
                  style={{
                    position: 'absolute',
                    top: 0,
                    left: 0,
                    right: 0,
                    height: ROW_H,
                    transform: `translateY(${it.start}px)`,
                  }}
                />
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
