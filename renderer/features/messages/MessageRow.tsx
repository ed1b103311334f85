import { memo } from 'react';
import type { BrowsedMessage, TailMessage } from '../../../api/features/messages';
import { formatBytes } from '../../ui/format';
import { formatTime } from '../streams/format';
import { previewLine } from './payload';

/** One list row: checkbox, seq, time, subject, size, type and a one-line payload preview. */
export const MessageRow = memo(function MessageRow({
  m,
  focused,
  checked,
  onFocus,
  onCheck,
  style,
}: {
  m: BrowsedMessage | TailMessage;
  focused: boolean;
  checked?: boolean;
  onFocus: (m: BrowsedMessage | TailMessage) => void;
  onCheck?: (seq: number) => void;
  style?: React.CSSProperties;
}) {
  return (
    <div
      className={`msg-row${focused ? ' focused' : ''}`}
      style={style}
      onClick={() => onFocus(m)}
      role="row"
      aria-selected={focused}
      data-testid="message-row"
      data-seq={m.seq}
    >
      <span className="msg-check" role="gridcell" onClick={(e) => e.stopPropagation()}>
        {onCheck && m.seq !== undefined && (
          <input
            type="checkbox"
            checked={!!checked}
            onChange={() => onCheck(m.seq!)}
            aria-label={`Select message ${m.seq}`}
            data-testid="message-check"
          />
        )}
      </span>
      <span role="gridcell" className="msg-seq mono" data-testid="message-seq">
        {m.seq ?? '—'}
      </span>
      <span role="gridcell" className="msg-time mono">
        {formatTime(m.time).slice(5)}
      </span>
      <span role="gridcell" className="msg-subject mono ellipsis" title={m.subject}>
        {m.subject}
      </span>
      <span role="gridcell" className="msg-size">
        {formatBytes(m.size)}
      </span>
      <span role="gridcell" className={`msg-type t-${m.contentType}`}>
        {m.contentType}
      </span>
      <span role="gridcell" className="msg-preview mono ellipsis">
        {previewLine(m.data, m.contentType)}
      </span>
    </div>
  );
});
