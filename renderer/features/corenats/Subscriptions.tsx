import { useState } from 'react';
import { MAX_SUBSCRIPTIONS_PER_CLIENT, type CoreMessage } from '../../../api/features/corenats';
import { formatBytes, formatCount } from '../../ui/format';
import { LiveList, liveDot } from '../../ui/LiveList';
import { previewLine } from '../messages/payload';
import { formatTime } from '../streams/format';
import { validateSubscribeForm } from './form-model';
import { MessageView } from './MessageView';
import { SUB_KEEP, useCoreNats, type SubView } from './store';
import { setPaused, subscribe, unsubscribe } from './subscriptions';

const ROW_H = 30;

/** Subscribe row, one tab per subscription, its live messages and the focused one. */
export function Subscriptions() {
  const subs = useCoreNats((s) => s.subs);
  const selectedId = useCoreNats((s) => s.selected);
  const focused = useCoreNats((s) => s.focused);
  const selected = subs.find((s) => s.info.subId === selectedId);
  return (
    <div className="cn-subs" data-testid="cn-subs">
      <SubscribeBar full={subs.length >= MAX_SUBSCRIPTIONS_PER_CLIENT} />
      {subs.length === 0 ? (
        <div className="empty cn-empty" data-testid="cn-no-subs">
          <h2>No subscriptions</h2>
          <p className="muted">
            Subscribe to a subject (wildcards <span className="mono">*</span> and{' '}
            <span className="mono">&gt;</span> allowed) to watch what is published on it. Subscriptions belong
            to this window and end when it closes.
          </p>
        </div>
      ) : (
        <>
          <div className="cn-tabs" role="tablist" aria-label="Subscriptions">
            {subs.map((s) => (
              <button
                key={s.info.subId}
                role="tab"
                aria-selected={s.info.subId === selectedId}
                className={`cn-tab${s.info.subId === selectedId ? ' on' : ''}`}
                onClick={() => useCoreNats.getState().set({ selected: s.info.subId, focused: undefined })}
                data-testid="cn-tab"
              >
                <span className={`dot ${liveDot(s.info.state)}`} />
                <span className="mono">{s.info.subject}</span>
                {s.info.queue && <span className="muted small">({s.info.queue})</span>}
                <span className="badge">{formatCount(s.info.received)}</span>
              </button>
            ))}
          </div>
          {selected && (
            <div className="cn-sub-panes" role="tabpanel" aria-label={selected.info.subject}>
              <SubMessages sub={selected} focused={focused} />
              <div className="msg-right cn-detail">
                {focused ? (
                  <MessageView m={focused} testId="cn-detail" />
                ) : (
                  <p className="muted cn-pad">Select a message to see its headers and payload.</p>
                )}
              </div>
            </div>
          )}
        </>
      )}
    </div>
  );
}

function SubscribeBar({ full }: { full: boolean }) {
  const [subject, setSubject] = useState('');
  const [queue, setQueue] = useState('');
  const [errors, setErrors] = useState<{ subject?: string; queue?: string }>({});
  const submit = async () => {
    const { errors: errs, input } = validateSubscribeForm({ subject, queue });
    setErrors(errs);
    if (input && (await subscribe(input))) setSubject('');
  };
  return (
    <form
      className="cn-subscribe"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      noValidate
      data-testid="cn-subscribe"
    >
      <div className={`field cn-grow${errors.subject ? ' invalid' : ''}`}>
        <label htmlFor="cn-sub-subject">Subscribe to</label>
        <input
          id="cn-sub-subject"
          value={subject}
          placeholder="orders.>"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setSubject(e.target.value)}
          data-testid="cn-sub-subject"
        />
        {errors.subject && (
          <span className="field-error" role="alert" data-testid="error-cn-sub-subject">
            {errors.subject}
          </span>
        )}
      </div>
      <div className={`field cn-queue${errors.queue ? ' invalid' : ''}`}>
        <label htmlFor="cn-sub-queue">Queue group (optional)</label>
        <input
          id="cn-sub-queue"
          value={queue}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setQueue(e.target.value)}
          data-testid="cn-sub-queue"
        />
        {errors.queue && (
          <span className="field-error" role="alert">
            {errors.queue}
          </span>
        )}
      </div>
      <button
        type="submit"
        className="btn primary"
        disabled={full}
        title={full ? `At most ${MAX_SUBSCRIPTIONS_PER_CLIENT} subscriptions per window` : undefined}
        data-testid="cn-sub-submit"
      >
        Subscribe
      </button>
    </form>
  );
}

function SubMessages({ sub, focused }: { sub: SubView; focused?: CoreMessage }) {
  const { info, messages, dropped } = sub;
  const paused = info.state === 'paused';
  const ended = info.state === 'stopped' || info.state === 'error';
  return (
    <LiveList
      className="cn-sub-left"
      testId="cn-sub"
      listTestId="cn-sub-list"
      listLabel={`Messages on ${info.subject}`}
      listClassName="cn-rows"
      rows={messages}
      state={info.state}
      rowHeight={ROW_H}
      empty={`Waiting for messages on ${info.subject}…`}
      status={
        <>
          <span className={`dot ${liveDot(info.state)}`} />
          <span data-testid="cn-sub-state">{info.state}</span>
          {info.error && <span className="error-text small">{info.error}</span>}
          <span
            className="muted small"
            title={`The window keeps the last ${formatCount(SUB_KEEP)}`}
            data-testid="cn-sub-received"
          >
            {formatCount(info.received)} received · {formatCount(messages.length)} shown
          </span>
          <span className={`small ${dropped ? 'warn-text' : 'muted'}`} data-testid="cn-sub-dropped">
            dropped {formatCount(dropped)}
          </span>
        </>
      }
      actions={
        <>
          <button
            className="btn small"
            disabled={ended}
            onClick={() => void setPaused(info.subId, !paused)}
            data-testid="cn-sub-pause"
          >
            {paused ? 'Resume' : 'Pause'}
          </button>
          <button
            className="btn small"
            onClick={() => void unsubscribe(info.subId)}
            data-testid="cn-sub-stop"
          >
            {ended ? 'Remove' : 'Unsubscribe'}
          </button>
        </>
      }
      renderRow={(m, key, style) => (
        <div
          key={key}
          role="listitem"
          className={`cn-row${focused === m ? ' focused' : ''}`}
          style={style}
          data-testid="cn-row"
        >
          <button
            className="cn-row-btn"
            aria-pressed={focused === m}
            onClick={() => useCoreNats.getState().set({ focused: m })}
          >
            <span className="msg-time mono">{formatTime(m.time).slice(11)}</span>
            <span className="mono ellipsis cn-row-subject" title={m.subject}>
              {m.subject}
            </span>
            <span className="msg-size">{formatBytes(m.size)}</span>
            <span className={`msg-type t-${m.contentType}`}>{m.contentType}</span>
            <span className="msg-preview mono ellipsis">{previewLine(m.data, m.contentType)}</span>
          </button>
        </div>
      )}
    />
  );
}
