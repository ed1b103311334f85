import { NotConnected } from '../connections/NotConnected';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { SavedViews } from '../views/SavedViews';
import { routeParams, useRoute } from '../../navigation';
import { isValidSubject } from '../../../api/features/streams';
import type { PageStart, ReadMethod } from '../../../api/features/messages';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { EmptyState, ErrorState, Skeleton } from '../../ui/States';
import { formatCount } from '../../ui/format';
import { useConnections } from '../connections/store';
import { InterruptedJobs } from '../jobs/InterruptedJobs';
import { SearchPanel } from '../search/SearchPanel';
import { useSearch } from '../search/store';
import { refresh, seek } from './browse';
import { ImportDialog } from './ImportDialog';
import { MessageDetail } from './MessageDetail';
import { MessageList } from './MessageList';
import { ReplayDialog } from './ReplayDialog';
import { EMPTY_WINDOW, useMessages } from './store';
import { TailList } from './TailList';
import { useTail } from './useTail';
import '../streams/streams.css';
import './messages.css';

const METHOD_NOTE: Record<ReadMethod, string> = {
  ordered_consumer: 'read with an ordered consumer (ack none): nothing is consumed',
  msg_get: 'read with message get: nothing is consumed',
  direct_get: 'read with direct get: nothing is consumed',
};

const streamFromHash = () => routeParams('messages').stream;

type StartKind = PageStart['kind'];
type Dialog = { kind: 'replay' | 'export'; seqs: number[] } | { kind: 'import' };

/** Browse any stream without disturbing it; live tail; replay, export and import. */
export function MessagesScreen() {
  const connected = useConnections((s) => s.status.state === 'connected');
  const stream = useMessages((s) => s.stream);
  const subject = useMessages((s) => s.subject);
  const win = useMessages((s) => s.win);
  const error = useMessages((s) => s.error);
  const loading = useMessages((s) => s.loading);
  const focused = useMessages((s) => s.focused);
  const checked = useMessages((s) => s.checked);
  const set = useMessages((s) => s.set);
  const searching = useSearch((s) => s.open);
  const [streams, setStreams] = useState<string[]>();
  const [subjectText, setSubjectText] = useState(subject);
  const [startKind, setStartKind] = useState<Exclude<StartKind, 'cursor'>>('first');
  const [startValue, setStartValue] = useState('');
  const [live, setLive] = useState(false);
  const [dialog, setDialog] = useState<Dialog>();
  const visible = useRef(15);
  const onVisible = useCallback((n: number) => {
    visible.current = n;
  }, []);

  useTail(stream, subject, live && connected);

  useEffect(() => {
    if (!connected) return;
    api
      .call('streams.list', { sort: 'name' })
      .then((r) => {
        const names = r.streams.map((s) => s.name);
        setStreams(names);
        const wanted = streamFromHash();
        const cur = useMessages.getState().stream;
        if (wanted && names.includes(wanted)) selectStream(wanted);
        else if (!cur || !names.includes(cur)) selectStream(names[0]);
      })
      .catch(() => setStreams([]));
    return useRoute.subscribe(() => {
      const w = streamFromHash();
      if (w && w !== useMessages.getState().stream) selectStream(w);
    });
  }, [connected]);

  // (Re)load whenever the stream or the filter changes.
  useEffect(() => {
    if (stream && connected) void seek({ kind: 'first' }, visible.current);
  }, [stream, subject, connected]);

  const subjectOk = subjectText.trim() === '' || isValidSubject(subjectText.trim());
  const applySubject = () => {
    if (subjectOk) set({ subject: subjectText.trim(), checked: [], focused: undefined });
  };
  const startValueOk =
    startKind === 'seq'
      ? /^\d+$/.test(startValue)
      : startKind === 'time'
        ? !Number.isNaN(Date.parse(startValue))
        : true;
  const go = () => {
    if (!startValueOk) return;
    const start: PageStart =
      startKind === 'seq'
        ? { kind: 'seq', seq: Number(startValue) }
        : startKind === 'time'
          ? { kind: 'time', time: new Date(startValue).toISOString() }
          : { kind: startKind };
    void seek(start, visible.current);
  };

  if (!connected) {
    return (
      <section className="screen" data-testid="messages-screen">
        <ScreenHeader title="Messages" />
        <NotConnected testId="messages-disconnected">Connect to browse the server's streams.</NotConnected>
      </section>
    );
  }

  return (
    <section className="screen wide-screen messages-screen" data-testid="messages-screen">
      <ScreenHeader
        title="Messages"
        subtitle={stream && win.method ? METHOD_NOTE[win.method] : 'Browse any stream without consuming it'}
        actions={
          <>
            <button
              className={`btn${searching ? ' on' : ''}`}
              disabled={!stream}
              aria-pressed={searching}
              onClick={() => {
                setLive(false);
                useSearch.getState().set({ open: !searching });
              }}
              data-testid="open-search"
            >
              {searching ? 'Close search' : 'Search…'}
            </button>
            <button
              className="btn"
              disabled={!stream}
              onClick={() => setDialog({ kind: 'replay', seqs: checked })}
              data-testid="open-replay"
            >
              Replay…
            </button>
            <button
              className="btn"
              disabled={!stream}
              onClick={() => setDialog({ kind: 'export', seqs: checked })}
              data-testid="open-export"
            >
              Export…
            </button>
            <button className="btn" onClick={() => setDialog({ kind: 'import' })} data-testid="open-import">
              Import…
            </button>
          </>
        }
      />
      <InterruptedJobs kinds={['replay', 'import']} connected={connected} />
      <div className="toolbar msg-toolbar">
        <select
          value={stream ?? ''}
          onChange={(e) => selectStream(e.target.value)}
          aria-label="Stream"
          data-testid="msg-stream"
          className="msg-stream-select"
        >
          {streams?.length === 0 && <option value="">no streams</option>}
          {streams?.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <form
          className={`msg-filter${subjectOk ? '' : ' invalid'}`}
          onSubmit={(e) => {
            e.preventDefault();
            applySubject();
          }}
        >
          <input
            className="mono"
            placeholder="subject filter, e.g. orders.*.eu or tasks.>"
            value={subjectText}
            onChange={(e) => setSubjectText(e.target.value)}
            onBlur={applySubject}
            aria-label="Subject filter"
            aria-invalid={!subjectOk}
            title={subjectOk ? undefined : 'Not a valid subject: "*" and ">" must be whole tokens, ">" last'}
            data-testid="msg-subject"
          />
        </form>
        <SavedViews
          screen="messages"
          filter={stream ? { stream, subject: subject || undefined } : undefined}
          onApply={(f) => {
            selectStream(f.stream);
            setSubjectText(f.subject ?? '');
            set({ subject: f.subject ?? '', checked: [], focused: undefined });
          }}
        />
        <form
          className="actions msg-seek"
          onSubmit={(e) => {
            e.preventDefault();
            go();
          }}
        >
          <select
            value={startKind}
            onChange={(e) => setStartKind(e.target.value as typeof startKind)}
            aria-label="Start at"
            data-testid="msg-start-kind"
          >
            <option value="first">First</option>
            <option value="last">Last</option>
            <option value="seq">Sequence</option>
            <option value="time">Time</option>
          </select>
          {startKind === 'seq' && (
            <input
              type="number"
              min={1}
              className="msg-seek-input"
              value={startValue}
              onChange={(e) => setStartValue(e.target.value)}
              placeholder="sequence"
              aria-label="Sequence"
              data-testid="msg-start-seq"
            />
          )}
          {startKind === 'time' && (
            <input
              type="datetime-local"
              step={0.001}
              className="msg-seek-input"
              value={startValue}
              onChange={(e) => setStartValue(e.target.value)}
              aria-label="Time"
              data-testid="msg-start-time"
            />
          )}
          <button
            className="btn"
            disabled={!stream || !startValueOk || live || searching}
            data-testid="msg-go"
          >
            Go
          </button>
        </form>
        <label className="check live-toggle">
          <input
            type="checkbox"
            checked={live}
            onChange={(e) => setLive(e.target.checked)}
            disabled={!stream || searching}
            data-testid="msg-live"
          />{' '}
          Live tail
        </label>
        <button
          className="btn"
          disabled={!stream || live || searching}
          onClick={() => void refresh(visible.current)}
          data-testid="msg-refresh"
        >
          Refresh
        </button>
      </div>
      <div className="msg-status small muted" data-testid="msg-status">
        {stream && !live && !searching && (
          <>
            <span data-testid="msg-total">
              {win.total !== undefined
                ? `${formatCount(win.total)} message(s)${subject ? ` matching ${subject}` : ''}`
                : 'count not available for this filter'}
            </span>
            <span>
              seq {formatCount(win.firstSeq)} … {formatCount(win.lastSeq)}
            </span>
            {win.rows.length > 0 && (
              <span data-testid="msg-range">
                showing #{formatCount(win.rows[Math.floor(win.top)]?.seq ?? 0)}–#
                {formatCount(
                  win.rows[Math.min(win.rows.length - 1, Math.floor(win.top) + visible.current - 1)]?.seq ??
                    0,
                )}
              </span>
            )}
            <span className="muted">Home/End, PgUp/PgDn, wheel; drag the bar to jump</span>
          </>
        )}
        {checked.length > 0 && (
          <span>
            {checked.length} selected{' '}
            <button className="link" onClick={() => set({ checked: [] })} data-testid="msg-clear-selection">
              clear
            </button>
          </span>
        )}
      </div>
      {!stream ? (
        <EmptyState
          title={streams?.length === 0 ? 'No streams' : 'Pick a stream'}
          testId="messages-no-stream"
        />
      ) : (
        <div className="msg-panes">
          <div className="msg-left">
            {searching ? (
              <SearchPanel
                stream={stream}
                subject={subject}
                focusedSeq={focused?.seq}
                onOpen={(hit) => set({ focused: hit.message })}
                onShowInList={(seq) => {
                  useSearch.getState().set({ open: false });
                  void seek({ kind: 'seq', seq }, visible.current);
                }}
              />
            ) : live ? (
              <TailList />
            ) : error ? (
              <ErrorState
                title="Could not read messages"
                message={error}
                onRetry={() => void refresh(visible.current)}
              />
            ) : win.rows.length === 0 && loading ? (
              <div className="msg-list" data-testid="message-list" data-loading="true">
                <Skeleton rows={8} />
              </div>
            ) : win.rows.length === 0 ? (
              <EmptyState
                title={subject ? 'No message matches the filter' : 'The stream is empty'}
                testId="messages-empty"
              />
            ) : (
              <MessageList onVisibleChange={onVisible} />
            )}
          </div>
          <div className="msg-right">
            {focused ? (
              <MessageDetail
                stream={stream}
                message={focused}
                onReplay={(seq) => setDialog({ kind: 'replay', seqs: [seq] })}
                onDeleted={() => {
                  set({ focused: undefined });
                  void refresh(visible.current);
                }}
              />
            ) : (
              <EmptyState title="No message selected">
                <p className="muted">
                  Click a message to see its headers and payload. Tick messages to replay or export them.
                </p>
              </EmptyState>
            )}
          </div>
        </div>
      )}
      {dialog && dialog.kind !== 'import' && stream && (
        <ReplayDialog
          stream={stream}
          mode={dialog.kind}
          seqs={dialog.seqs}
          subject={subject}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog?.kind === 'import' && <ImportDialog onClose={() => setDialog(undefined)} />}
    </section>
  );
}

function selectStream(name: string | undefined): void {
  // Re-picking the same stream keeps the window (the load effect only runs on a change).
  if (name === useMessages.getState().stream) return;
  useMessages
    .getState()
    .set({ stream: name, focused: undefined, checked: [], win: EMPTY_WINDOW, error: undefined });
}
