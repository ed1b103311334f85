import { useEffect, useState } from 'react';
import type { SearchEnd, SearchHit, SearchProgress } from '../../../api/features/search';
import { MAX_SEARCH_RESULTS } from '../../../api/features/search';
import { Field } from '../../ui/Field';
import { ProgressBar } from '../../ui/ProgressBar';
import { serverIssues } from '../../ui/form-issues';
import { formatCount } from '../../ui/format';
import { formatRate, formatTime } from '../streams/format';
import { toastError, toEnvelope } from '../toasts/store';
import { cancelSearch, startSearch, useSearchEvents } from './actions';
import { searchFieldErrors, toSearchInput, type SearchField, type SearchForm } from './search-form';
import { useSearch } from './store';
import './search.css';

const END_TEXT: Record<SearchEnd, string> = {
  range_end: 'searched the whole range',
  max_results: 'stopped at the result cap',
  max_scanned: 'stopped at the scan cap',
  cancelled: 'cancelled',
  error: 'failed',
};

/**
 * Search payloads and headers over a range of the stream (the browse subject filter applies);
 * hits open in the message view on the right.
 */
export function SearchPanel({
  stream,
  subject,
  focusedSeq,
  onOpen,
  onShowInList,
}: {
  stream: string;
  subject: string;
  focusedSeq?: number;
  onOpen: (hit: SearchHit) => void;
  onShowInList: (seq: number) => void;
}) {
  const form = useSearch((s) => s.form);
  const setForm = useSearch((s) => s.setForm);
  const progress = useSearch((s) => s.progress);
  const hits = useSearch((s) => s.hits);
  const lost = useSearch((s) => s.lost);
  const [errors, setErrors] = useState<Partial<Record<SearchField, string>>>({});
  const [starting, setStarting] = useState(false);
  useSearchEvents();

  // A search of another stream is not this view's: forget it (and stop it) when the stream changes.
  useEffect(() => {
    const s = useSearch.getState();
    if (s.progress && s.progress.stream !== stream) {
      void cancelSearch();
      s.set({ searchId: undefined, progress: undefined, hits: [], lost: undefined });
    }
  }, [stream]);

  const running = !!progress && !progress.done && !lost;
  const edit = (p: Partial<SearchForm>) => {
    setForm(p);
    setErrors({});
  };
  const submit = async () => {
    const r = toSearchInput(useSearch.getState().form, stream, subject);
    if (r.errors) return setErrors(r.errors);
    setStarting(true);
    try {
      await startSearch(r.input);
    } catch (err) {
      const issues = serverIssues(toEnvelope(err).detail);
      if (issues.length) setErrors(searchFieldErrors(issues));
      else toastError('Could not start the search', err);
    } finally {
      setStarting(false);
    }
  };

  const id = (f: string) => `search-${f}`;
  const input = (f: SearchField & keyof SearchForm, label: string, extra: Record<string, unknown> = {}) => (
    <Field id={id(f)} label={label} error={errors[f]}>
      <input
        id={id(f)}
        value={form[f] as string}
        onChange={(e) => edit({ [f]: e.target.value })}
        aria-invalid={!!errors[f]}
        aria-describedby={errors[f] ? `${id(f)}-error` : undefined}
        data-testid={id(f)}
        {...extra}
      />
    </Field>
  );

  return (
    <div className="search-panel" data-testid="search-panel">
      <form
        className="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="search-criterion">
          <Field id="search-kind" label="Find">
            <select
              id="search-kind"
              value={form.kind}
              onChange={(e) => edit({ kind: e.target.value as SearchForm['kind'] })}
              data-testid="search-kind"
            >
              <option value="text">Payload text</option>
              <option value="json">JSON path</option>
              <option value="header">Header</option>
            </select>
          </Field>
          {form.kind === 'text' && input('text', 'Payload contains', { className: 'mono grow' })}
          {form.kind === 'json' && (
            <>
              {input('path', 'Path', { className: 'mono', placeholder: 'customer.name or items[*].sku' })}
              <Field id="search-json-op" label="Test">
                <select
                  id="search-json-op"
                  value={form.jsonOp}
                  onChange={(e) => edit({ jsonOp: e.target.value as SearchForm['jsonOp'] })}
                  data-testid="search-json-op"
                >
                  <option value="equals">equals</option>
                  <option value="contains">contains</option>
                </select>
              </Field>
              {input('value', 'Value', { className: 'mono', placeholder: 'text, or JSON: 42, true, "x"' })}
            </>
          )}
          {form.kind === 'header' && (
            <>
              {input('header', 'Header', { className: 'mono', placeholder: 'Nats-Msg-Id' })}
              <Field id="search-header-op" label="Test">
                <select
                  id="search-header-op"
                  value={form.headerOp}
                  onChange={(e) => edit({ headerOp: e.target.value as SearchForm['headerOp'] })}
                  data-testid="search-header-op"
                >
                  <option value="equals">equals</option>
                  <option value="contains">contains</option>
                  <option value="exists">is present</option>
                </select>
              </Field>
              {form.headerOp !== 'exists' && input('value', 'Value', { className: 'mono' })}
            </>
          )}
        </div>
        <div className="search-limits">
          {input('fromSeq', 'From seq', { type: 'number', min: 1, placeholder: 'first' })}
          {input('toSeq', 'To seq', { type: 'number', min: 1, placeholder: 'last' })}
          {input('maxResults', 'Max results', { type: 'number', min: 1, max: MAX_SEARCH_RESULTS })}
          {input('maxScanned', 'Max messages read', { type: 'number', min: 1 })}
          <label className="check search-case">
            <input
              type="checkbox"
              checked={form.caseSensitive}
              onChange={(e) => edit({ caseSensitive: e.target.checked })}
              data-testid="search-case"
            />{' '}
            Match case
          </label>
          <div className="search-buttons">
            {running ? (
              <button
                type="button"
                className="btn"
                onClick={() => void cancelSearch()}
                data-testid="search-cancel"
              >
                Cancel
              </button>
            ) : (
              <button className="btn primary" disabled={starting} data-testid="search-start">
                Search
              </button>
            )}
          </div>
        </div>
        <p className="muted small search-scope" data-testid="search-scope">
          In <b>{stream}</b>
          {subject ? (
            <>
              {' '}
              on subjects <span className="mono">{subject}</span> (the list&apos;s filter)
            </>
          ) : (
            ', every subject'
          )}
          . Reading never consumes or changes the stream.
        </p>
      </form>
      {progress && <SearchStatus progress={progress} lost={lost} />}
      <SearchHits
        hits={hits}
        progress={progress}
        focusedSeq={focusedSeq}
        onOpen={onOpen}
        onShowInList={onShowInList}
      />
    </div>
  );
}

function SearchStatus({ progress: p, lost }: { progress: SearchProgress; lost?: string }) {
  const span = Math.max(0, p.toSeq - p.fromSeq + 1);
  const read = Math.max(0, Math.min(span, p.position - p.fromSeq + 1));
  return (
    <div
      className="search-status"
      data-testid="search-status"
      data-state={lost ? 'lost' : p.state}
      data-end={p.end}
    >
      <ProgressBar value={read} max={span || 1} label="Search progress" testId="search-progress-bar" />
      <div className="search-figures small">
        <b data-testid="search-state">
          {lost
            ? 'Stopped'
            : p.state === 'running'
              ? 'Searching…'
              : p.state === 'done'
                ? 'Done'
                : p.state === 'cancelled'
                  ? 'Cancelled'
                  : 'Failed'}
        </b>
        <span data-testid="search-matched">{formatCount(p.matched)} found</span>
        <span data-testid="search-scanned">{formatCount(p.scanned)} read</span>
        <span className="muted">
          seq {formatCount(p.fromSeq)}–{formatCount(p.toSeq)}
        </span>
        <span className="muted">{formatRate(p.rate)}</span>
        <span className="muted">{(p.durationMs / 1000).toFixed(1)} s</span>
        {p.end && !lost && (
          <span className={p.end === 'error' ? 'error-text' : 'muted'} data-testid="search-end">
            {END_TEXT[p.end]}
          </span>
        )}
        {p.notJson > 0 && <span className="muted">{formatCount(p.notJson)} not JSON</span>}
      </div>
      {lost && <p className="warn-text small">{lost}</p>}
      {p.error && <p className="error-text small">{p.error}</p>}
    </div>
  );
}

function SearchHits({
  hits,
  progress,
  focusedSeq,
  onOpen,
  onShowInList,
}: {
  hits: SearchHit[];
  progress?: SearchProgress;
  focusedSeq?: number;
  onOpen: (hit: SearchHit) => void;
  onShowInList: (seq: number) => void;
}) {
  if (!progress)
    return (
      <div className="search-empty muted" data-testid="search-hits-empty">
        <p>
          Look for text in payloads, a value at a JSON path (<span className="mono">order.status</span>,{' '}
          <span className="mono">items[*].sku</span>) or a header, over a sequence range. A search stops at
          its caps and can be cancelled; each hit opens in the message view.
        </p>
      </div>
    );
  if (!hits.length)
    return (
      <div className="search-empty muted" data-testid="search-hits-empty">
        <p>{progress.done ? 'No message matches.' : 'Nothing found yet…'}</p>
      </div>
    );
  return (
    <ul className="search-hits plain" aria-label="Search results" data-testid="search-hits">
      {hits.map((h) => {
        const m = h.message;
        const focused = m.seq === focusedSeq;
        return (
          <li
            key={m.seq}
            className={`search-hit${focused ? ' focused' : ''}`}
            data-testid="search-hit"
            data-seq={m.seq}
          >
            <button
              type="button"
              className="search-hit-open"
              onClick={() => onOpen(h)}
              aria-current={focused || undefined}
              data-testid="search-hit-open"
            >
              <span className="search-hit-head">
                <span className="mono search-hit-seq">#{m.seq}</span>
                <span className="mono ellipsis search-hit-subject" title={m.subject}>
                  {m.subject}
                </span>
                <span className="muted small search-hit-time">{formatTime(m.time)}</span>
              </span>
              <span className="mono small ellipsis search-hit-excerpt" title={h.excerpt}>
                {h.excerpt}
              </span>
            </button>
            <button
              type="button"
              className="btn small ghost"
              onClick={() => onShowInList(m.seq)}
              title={`Close the search and show #${m.seq} in the message list`}
              data-testid="search-hit-show"
            >
              In list
            </button>
          </li>
        );
      })}
    </ul>
  );
}
