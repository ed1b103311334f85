import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api';
import type { BrowsedMessage, TailMessage } from '../../../api/features/messages';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { HeaderList } from '../../ui/HeaderList';
import { JsonView } from '../../ui/JsonView';
import { formatBytes } from '../../ui/format';
import { formatTime } from '../streams/format';
import { toastError, toastInfo } from '../toasts/store';
import {
  base64ToBytes,
  bytesToText,
  defaultView,
  download,
  hexDump,
  tryParseJson,
  type PayloadView,
} from './payload';

type Msg = BrowsedMessage | TailMessage;

/** The focused message: headers, payload as JSON / text / hex / base64, copy, save, delete, replay. */
export function MessageDetail({
  stream,
  message,
  onReplay,
  onDeleted,
}: {
  stream: string;
  message: Msg;
  onReplay: (seq: number) => void;
  onDeleted: (seq: number) => void;
}) {
  const [full, setFull] = useState<Msg>(message);
  const [view, setView] = useState<PayloadView>(defaultView(message.contentType));
  const [confirmDelete, setConfirmDelete] = useState(false);

  // The list holds previews; fetch the whole payload when it was cut.
  useEffect(() => {
    setFull(message);
    setView(defaultView(message.contentType));
    if (!message.truncated || message.seq === undefined) return;
    let live = true;
    api
      .call('messages.get', { stream, seq: message.seq })
      .then((m) => live && setFull(m))
      .catch((err: unknown) => toastError(`Could not read message ${message.seq}`, err));
    return () => {
      live = false;
    };
  }, [stream, message]);

  const bytes = useMemo(() => base64ToBytes(full.data), [full.data]);
  const text = useMemo(() => bytesToText(bytes), [bytes]);
  const json = useMemo(() => (view === 'json' ? tryParseJson(text) : undefined), [view, text]);
  const shownText =
    view === 'hex'
      ? hexDump(bytes)
      : view === 'base64'
        ? full.data
        : json && json.ok
          ? JSON.stringify(json.value, null, 2)
          : text;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(shownText);
      toastInfo('Copied to the clipboard');
    } catch (err) {
      toastError('Could not copy', err);
    }
  };
  const save = () => {
    const ext = full.contentType === 'json' ? 'json' : full.contentType === 'text' ? 'txt' : 'bin';
    download(`${stream}-${full.seq ?? 'tail'}.${ext}`, bytes.slice().buffer);
  };
  const remove = async () => {
    setConfirmDelete(false);
    if (full.seq === undefined) return;
    try {
      await api.call('messages.delete', { stream, seq: full.seq });
      toastInfo(`Message ${full.seq} deleted`, stream);
      onDeleted(full.seq);
    } catch (err) {
      toastError(`Could not delete message ${full.seq}`, err);
    }
  };

  const headers = Object.entries(full.headers ?? {});
  return (
    <div className="msg-detail" data-testid="message-detail" data-seq={full.seq}>
      <div className="msg-detail-head">
        <div className="min0">
          <div className="mono ellipsis msg-detail-subject" title={full.subject} data-testid="detail-subject">
            {full.subject}
          </div>
          <div className="muted small">
            {full.seq !== undefined ? `#${full.seq}` : 'live'} · {formatTime(full.time)} ·{' '}
            {formatBytes(full.size)}
            {full.truncated && ' · loading full payload…'}
          </div>
        </div>
        <div className="actions">
          {full.seq !== undefined && (
            <button className="btn small" onClick={() => onReplay(full.seq!)} data-testid="detail-replay">
              Replay…
            </button>
          )}
          <button className="btn small" onClick={() => void copy()} data-testid="detail-copy">
            Copy
          </button>
          <button className="btn small" onClick={save} data-testid="detail-save">
            Save
          </button>
          {full.seq !== undefined && (
            <button
              className="btn small danger-ghost"
              onClick={() => setConfirmDelete(true)}
              data-testid="detail-delete"
            >
              Delete
            </button>
          )}
        </div>
      </div>
      {headers.length > 0 && (
        <details className="msg-headers" open>
          <summary>Headers ({headers.length})</summary>
          <HeaderList headers={headers} testId="detail-headers" />
        </details>
      )}
      <div className="segmented" role="tablist" aria-label="Payload view">
        {(['json', 'text', 'hex', 'base64'] as PayloadView[]).map((v) => (
          <button
            key={v}
            className={view === v ? 'on' : ''}
            onClick={() => setView(v)}
            data-testid={`view-${v}`}
          >
            {v === 'json' ? 'JSON' : v}
          </button>
        ))}
      </div>
      <div className="msg-payload" data-testid="detail-payload" data-view={view}>
        {view === 'json' && json?.ok ? (
          <JsonView value={json.value} />
        ) : (
          <>
            {view === 'json' && <p className="muted small">Not valid JSON — shown as text.</p>}
            <pre className="mono">{shownText || <span className="muted">(empty payload)</span>}</pre>
          </>
        )}
      </div>
      {confirmDelete && full.seq !== undefined && (
        <ConfirmDialog
          title={`Delete message ${full.seq}`}
          confirmLabel="Delete message"
          onConfirm={() => void remove()}
          onCancel={() => setConfirmDelete(false)}
        >
          Removes message <b>#{full.seq}</b> ({full.subject}) from <b>{stream}</b>. This cannot be undone.
        </ConfirmDialog>
      )}
    </div>
  );
}
