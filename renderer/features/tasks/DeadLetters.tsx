import { NotConnected } from '../connections/NotConnected';
import { useCallback, useEffect, useState } from 'react';
import type { DeadLetterGroup } from '../../../api/features/dead-letters';
import type { DeadLetter } from '../../../api/features/tasks';
import { api } from '../../api';
import { SavedViews } from '../views/SavedViews';
import { TypeFilterBar } from './TypeFilterBar';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { EmptyState, ErrorState, Skeleton } from '../../ui/States';
import { toastError, toastInfo, toEnvelope } from '../toasts/store';
import { DeadLetterGroups } from './DeadLetterGroups';
import { formatPreciseTime, formatTime } from './format';
import { useTasks } from './store';

const REASON: Record<DeadLetter['reason'], string> = {
  max_deliveries: 'max deliveries',
  terminated: 'terminated',
  failed: 'failed',
};

/** Tasks that exhausted their attempts or were terminated, with every attempt's error. */
export function DeadLetters({ types, connected }: { types: string[]; connected: boolean }) {
  const version = useTasks((s) => s.version);
  const set = useTasks((s) => s.set);
  const [type, setType] = useState('');
  const [q, setQ] = useState('');
  const [showResolved, setShowResolved] = useState(false);
  const [letters, setLetters] = useState<DeadLetter[]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const [confirmAll, setConfirmAll] = useState(false);
  // Grouped by error fingerprint by default; "Show letters" on a group lists just that group.
  const [view, setView] = useState<'groups' | 'letters'>('groups');
  // The group whose letters are listed; from a saved view only its fingerprint may be known.
  const [group, setGroup] = useState<Pick<DeadLetterGroup, 'fingerprint'> & Partial<DeadLetterGroup>>();

  const filter = { type: type || undefined, q: q.trim() || undefined };
  /** A view saved with a group open applies to that group (its fingerprint). */
  const openGroup = (fingerprint: string | undefined) => {
    if (!fingerprint) return setGroup(undefined);
    setLetters(undefined);
    setGroup({ fingerprint });
    setView('letters');
    // Its message for the banner, when the group has letters now.
    api
      .call('tasks.deadLetters.groups', { includeResolved: true })
      .then((r) => {
        const g = r.groups.find((x) => x.fingerprint === fingerprint);
        if (g) setGroup((cur) => (cur?.fingerprint === fingerprint ? g : cur));
      })
      .catch(() => undefined);
  };
  const filterKey = JSON.stringify({ ...filter, fingerprint: group?.fingerprint });
  const load = useCallback(async () => {
    try {
      const r = await api.call('tasks.deadLetters.list', {
        ...(JSON.parse(filterKey) as object),
        includeResolved: showResolved,
      });
      setLetters(r.deadLetters);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, [filterKey, showResolved]);

  useEffect(() => {
    if (!connected || view !== 'letters') return;
    const t = setTimeout(() => void load(), version === 0 ? 0 : 300);
    return () => clearTimeout(t);
  }, [load, version, connected, view]);

  const retry = async (d: DeadLetter) => {
    setBusy(d.id);
    try {
      const r = await api.call('tasks.deadLetters.retry', { id: d.id });
      toastInfo('Retried as a new task', r.task.id);
      // Follow the new task: its detail links back to this one.
      set({ selectedId: r.task.id });
      await load();
    } catch (err) {
      toastError(`Could not retry ${d.id}`, err);
    } finally {
      setBusy(undefined);
    }
  };
  const discard = async (d: DeadLetter) => {
    setBusy(d.id);
    try {
      await api.call('tasks.deadLetters.discard', { id: d.id });
      await load();
    } catch (err) {
      toastError(`Could not discard ${d.id}`, err);
    } finally {
      setBusy(undefined);
    }
  };
  const retryAll = async () => {
    setBusy('*');
    try {
      const r = group
        ? await api.call('tasks.deadLetters.retryGroup', { ...filter, fingerprint: group.fingerprint })
        : await api.call('tasks.deadLetters.retryAll', filter);
      if (r.failed.length) {
        toastError(
          `${r.failed.length} dead letter(s) could not be retried`,
          new Error(r.failed.map((f) => `${f.id}: ${f.error}`).join('\n')),
        );
      }
      toastInfo(`Retried ${r.retried.length} dead letter(s)`);
      await load();
    } catch (err) {
      toastError('Could not retry the dead letters', err);
    } finally {
      setBusy(undefined);
      setConfirmAll(false);
    }
  };

  const open = letters?.filter((d) => !d.discarded && !d.retried_as?.length) ?? [];
  let body;
  if (!connected) {
    body = <NotConnected testId="dead-not-connected" />;
  } else if (view === 'groups') {
    body = (
      <DeadLetterGroups
        filter={filter}
        onShowLetters={(g) => {
          setLetters(undefined);
          setGroup(g);
          setView('letters');
        }}
      />
    );
  } else if (error !== undefined && !letters) {
    body = (
      <ErrorState
        title="Could not load dead letters"
        message={toEnvelope(error).message}
        onRetry={() => void load()}
        testId="dead-error"
      />
    );
  } else if (!letters) {
    body = <Skeleton rows={3} />;
  } else if (letters.length === 0) {
    body = (
      <EmptyState
        title={filter.type || filter.q ? 'No dead letters match' : 'No dead letters'}
        testId="dead-empty"
      >
        <p>Tasks that fail on every attempt, or that a worker terminates, end up here with their errors.</p>
      </EmptyState>
    );
  } else {
    body = (
      <ul className="stack-list" data-testid="dead-list">
        {letters.map((d) => (
          <li
            key={d.id}
            className={`dead${d.discarded || d.retried_as?.length ? ' resolved' : ''}`}
            data-testid="dead-letter"
            data-task-id={d.id}
          >
            <div className="dead-head">
              <button className="link mono" onClick={() => set({ selectedId: d.id })} data-testid="dead-open">
                {d.id}
              </button>
              <span className="badge">{d.type}</span>
              <span className="badge tone-bad" data-testid="dead-reason">
                {REASON[d.reason]}
              </span>
              <span className="small muted" data-testid="dead-attempts">
                {d.attempts} attempt{d.attempts === 1 ? '' : 's'} · failed {formatTime(d.failed_at)}
              </span>
              <span className="spacer" />
              {d.discarded && <span className="badge">discarded</span>}
              {d.retried_as?.map((r) => (
                <button
                  key={r}
                  className="link small mono"
                  onClick={() => set({ selectedId: r })}
                  data-testid="dead-retried-as"
                >
                  retried as {r}
                </button>
              ))}
              {!d.discarded && (
                <>
                  <button
                    className="btn small"
                    onClick={() => void retry(d)}
                    disabled={busy !== undefined}
                    data-testid="dead-retry"
                  >
                    Retry
                  </button>
                  <button
                    className="btn small danger-ghost"
                    onClick={() => void discard(d)}
                    disabled={busy !== undefined}
                    data-testid="dead-discard"
                  >
                    Discard
                  </button>
                </>
              )}
            </div>
            {d.errors.length > 0 ? (
              <ol className="dead-errors small">
                {d.errors.map((a, i) => (
                  <li key={i} data-testid="dead-attempt-error">
                    <span className="muted">
                      attempt {a.attempt} · {formatPreciseTime(a.at)}
                      {a.worker ? ` · ${a.worker}` : ''}
                    </span>{' '}
                    <span className="error-text">{a.error ?? 'no error reported'}</span>
                  </li>
                ))}
              </ol>
            ) : (
              d.last_error && <p className="small error-text">{d.last_error}</p>
            )}
          </li>
        ))}
      </ul>
    );
  }

  return (
    <div className="card" data-testid="dead-letters">
      <div className="card-head">
        <h2>Dead letters</h2>
        <div className="segmented" role="group" aria-label="Dead letters view">
          <button
            className={view === 'groups' ? 'on' : ''}
            aria-pressed={view === 'groups'}
            onClick={() => {
              setGroup(undefined);
              setView('groups');
            }}
            data-testid="dead-view-groups"
          >
            By error
          </button>
          <button
            className={view === 'letters' ? 'on' : ''}
            aria-pressed={view === 'letters'}
            onClick={() => setView('letters')}
            data-testid="dead-view-letters"
          >
            Every letter
          </button>
        </div>
        <TypeFilterBar
          className="actions dead-filters"
          types={types}
          type={type}
          onType={(t) => setType(t ?? '')}
          q={q}
          onQ={setQ}
          what="dead letters"
          testIdPrefix="dead-"
        >
          <SavedViews
            screen="deadLetters"
            filter={{
              ...filter,
              includeResolved: showResolved || undefined,
              fingerprint: view === 'letters' ? group?.fingerprint : undefined,
            }}
            onApply={(f) => {
              setType(f.type ?? '');
              setQ(f.q ?? '');
              setShowResolved(!!f.includeResolved);
              openGroup(f.fingerprint);
            }}
          />
          {view === 'letters' && (
            <label className="check small">
              <input
                type="checkbox"
                checked={showResolved}
                onChange={(e) => setShowResolved(e.target.checked)}
              />{' '}
              show resolved
            </label>
          )}
          {view === 'letters' && (
            <button
              className="btn"
              disabled={open.length === 0 || busy !== undefined}
              onClick={() => setConfirmAll(true)}
              data-testid="dead-retry-all"
            >
              Retry all ({open.length})
            </button>
          )}
        </TypeFilterBar>
      </div>
      {view === 'letters' && group && (
        <p className="dead-group-filter small" data-testid="dead-group-filter">
          Group <code className="mono">{group.message ?? group.fingerprint}</code>{' '}
          <button
            className="btn small ghost"
            onClick={() => {
              setLetters(undefined);
              setGroup(undefined);
            }}
            data-testid="dead-group-filter-clear"
          >
            Show every letter
          </button>
        </p>
      )}
      {body}
      {confirmAll && (
        <ConfirmDialog
          title="Retry dead letters"
          confirmLabel={`Retry ${open.length}`}
          danger={false}
          busy={busy === '*'}
          onConfirm={() => void retryAll()}
          onCancel={() => setConfirmAll(false)}
          testId="dead-retry-all-dialog"
        >
          <p data-testid="dead-retry-all-count">
            Re-publish {open.length} dead letter{open.length === 1 ? '' : 's'}
            {filter.type ? ` of type ${filter.type}` : ''}
            {filter.q ? ` matching “${filter.q}”` : ''}
            {group ? ` failing with “${group.message ?? group.fingerprint}”` : ''} as new tasks? Each new task
            links back to the one it re-runs.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
