import { useCallback } from 'react';
import type { BrowsedMessage, TailMessage } from '../../../api/features/messages';
import { formatCount } from '../../ui/format';
import { LiveList, liveDot } from '../../ui/LiveList';
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
  const onFocus = useCallback(
    (m: BrowsedMessage | TailMessage) => useMessages.getState().set({ focused: m }),
    [],
  );
  const paused = tail?.state === 'paused';

  return (
    <LiveList
      className="tail"
      testId="tail"
      listTestId="tail-list"
      rows={messages}
      state={tail?.state}
      rowHeight={ROW_H}
      empty="Waiting for new messages…"
      status={
        <>
          <span className={`dot ${liveDot(tail?.state)}`} />
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
        </>
      }
      actions={
        <button
          className="btn small"
          disabled={!tail || tail.state === 'stopped'}
          onClick={() => void setTailPaused(!paused)}
          data-testid="tail-pause"
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
      }
      renderRow={(m, key, style) => (
        <MessageRow key={key} m={m} focused={focused === m} onFocus={onFocus} style={style} />
      )}
    />
  );
}
