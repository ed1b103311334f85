import { useEffect, useState } from 'react';
import type { SearchEnd, SearchHit, SearchProgress } from '../../../api/features/search';
import { MAX_SEARCH_CRITERIA, MAX_SEARCH_RESULTS } from '../../../api/features/search';
import { Field, FieldInput } from '../../ui/Field';
import { ProgressBar } from '../../ui/ProgressBar';
import { serverIssues } from '../../ui/form-issues';
import { formatCount } from '../../ui/format';
import { formatRate, formatTime } from '../streams/format';
import { toastError, toEnvelope } from '../toasts/store';
import { cancelSearch, startSearch, useSearchEvents } from './actions';
import {
  criterionField,
  EMPTY_CRITERION,
  searchFieldErrors,
  toSearchInput,
  type CriterionField,
  type CriterionForm,
  type SearchField,
  type SearchForm,
} from './search-form';
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
  const input = (
    f: Exclude<SearchField, CriterionField | `${CriterionField}-${number}`>,
    label: string,
    extra: Record<string, unknown> = {},
  ) => (
    <FieldInput
      id={id(f)}
      label={label}
      error={errors[f]}
      value={form[f] as string}
      onValue={(v) => edit({ [f]: v })}
      {...extra}
    />
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
        {form.criteria.map((c, i) => (
          <CriterionRow
            key={i}
            i={i}
            c={c}
            errors={errors}
            onChange={(p) => edit({ criteria: form.criteria.map((x, k) => (k === i ? { ...x, ...p } : x)) })}
            onRemove={
              form.criteria.length > 1
                ? () => edit({ criteria: form.criteria.filter((_, k) => k !== i) })
                : undefined
            }
          />
        ))}
        {form.criteria.length < MAX_SEARCH_CRITERIA && (
          <button
            type="button"
            className="btn small ghost search-add"
            onClick={() => edit({ criteria: [...form.criteria, EMPTY_CRITERION] })}
            data-testid="search-add"
          >
            + And another criterion
          </button>
        )}
        <div className="search-limits">
          <Field id="search-range" label="Range by">
            <select
              id="search-range"
              value={form.rangeKind}
              onChange={(e) => edit({ rangeKind: e.target.value as SearchForm['rangeKind'] })}
              data-testid="search-range"
            >
              <option value="seq">Sequence</option>
              <option value="time">Time</option>
            </select>
          </Field>
          {form.rangeKind === 'seq' ? (
            <>
              {input('fromSeq', 'From seq', { type: 'number', min: 1, placeholder: 'first' })}
              {input('toSeq', 'To seq', { type: 'number', min: 1, placeholder: 'last' })}
            </>
          ) : (
            <>
              {input('fromTime', 'From time', { type: 'datetime-local', step: 1 })}
              {input('toTime', 'To time', { type: 'datetime-local', step: 1 })}
            </>
          )}
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

/**
 * One criterion (all must hold). The first keeps the plain field ids (`search-text`…), the n-th
 * after it `search-text-<n>`, so labels, errors and tests address each row.
 */
function CriterionRow({
  i,
  c,
  errors,
  onChange,
  onRemove,
}: {
  i: number;
  c: CriterionForm;
  errors: Partial<Record<SearchField, string>>;
  onChange: (p: Partial<CriterionForm>) => void;
  onRemove?: () => void;
}) {
  const id = (f: string) => `search-${i === 0 ? f : `${f}-${i}`}`;
  const input = (
    f: CriterionField & keyof CriterionForm,
    label: string,
    extra: Record<string, unknown> = {},
  ) => {
    const err = errors[criterionField(f, i)];
    return (
      <FieldInput
        id={id(f)}
        label={label}
        error={err}
        value={c[f]}
        onValue={(v) => onChange({ [f]: v })}
        {...extra}
      />
    );
  };
  const select = <K extends 'kind' | 'jsonOp' | 'headerOp'>(
    k: K,
    name: string,
    label: string,
    options: [CriterionForm[K], string][],
  ) => (
    <Field id={id(name)} label={label}>
      <select
        id={id(name)}
        value={c[k]}
        onChange={(e) => onChange({ [k]: e.target.value } as Partial<CriterionForm>)}
        data-testid={id(name)}
      >
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </Field>
  );
  return (
    <div className="search-criterion" data-testid="search-criterion" data-index={i}>
      {select('kind', 'kind', i === 0 ? 'Find' : 'and', [
        ['text', 'Payload text'],
        ['json', 'JSON path'],
        ['header', 'Header'],
      ])}
      {c.kind === 'text' && input('text', 'Payload contains', { className: 'mono grow' })}
      {c.kind === 'json' && (
        <>
          {input('path', 'Path', { className: 'mono', placeholder: 'customer.name or items[*].sku' })}
          {select('jsonOp', 'json-op', 'Test', [
            ['equals', 'equals'],
            ['contains', 'contains'],
          ])}
          {input('value', 'Value', { className: 'mono', placeholder: 'text, or JSON: 42, true, "x"' })}
        </>
      )}
      {c.kind === 'header' && (
        <>
          {input('header', 'Header', { className: 'mono', placeholder: 'Nats-Msg-Id' })}
          {select('headerOp', 'header-op', 'Test', [
            ['equals', 'equals'],
            ['contains', 'contains'],
            ['exists', 'is present'],
          ])}
          {c.headerOp !== 'exists' && input('value', 'Value', { className: 'mono' })}
        </>
      )}
      {onRemove && (
        <button
          type="button"
          className="btn small ghost search-remove"
          onClick={onRemove}
          aria-label={`Remove criterion ${i + 1}`}
          data-testid={id('remove')}
        >
          Remove
        </button>
      )}
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
