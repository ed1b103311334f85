import { useCallback, useEffect, useState } from 'react';
import type { DeadLetterGroup, DeadLetterGroups as Groups } from '../../../api/features/dead-letters';
import { api } from '../../api';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { EmptyState, ErrorState, Skeleton } from '../../ui/States';
import { toastError, toastInfo, toEnvelope } from '../toasts/store';
import { EditRetryDialog } from './EditRetryDialog';
import { formatTime } from './format';
import { useTasks } from './store';

const REASON: Record<string, string> = {
  max_deliveries: 'max deliveries',
  terminated: 'terminated',
  failed: 'failed',
};

type Pending = { kind: 'retry' | 'discard' | 'edit'; group: DeadLetterGroup };

/**
 * Dead letters grouped by error fingerprint (the message with ids, numbers, paths and uuids
 * normalised): one row per kind of failure, with what can be done to all of it at once.
 */
export function DeadLetterGroups({
  filter,
  onShowLetters,
}: {
  filter: { type?: string; q?: string };
  onShowLetters: (g: DeadLetterGroup) => void;
}) {
  const version = useTasks((s) => s.version);
  const [data, setData] = useState<Groups>();
  const [error, setError] = useState<unknown>();
  const [pending, setPending] = useState<Pending>();
  const [busy, setBusy] = useState(false);

  const filterKey = JSON.stringify(filter);
  const load = useCallback(async () => {
    try {
      setData(await api.call('tasks.deadLetters.groups', JSON.parse(filterKey) as typeof filter));
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, [filterKey]);
  useEffect(() => {
    const t = setTimeout(() => void load(), version === 0 ? 0 : 300);
    return () => clearTimeout(t);
  }, [load, version]);

  const act = async (p: Pending) => {
    setBusy(true);
    const sel = { ...filter, fingerprint: p.group.fingerprint };
    try {
      if (p.kind === 'retry') {
        const r = await api.call('tasks.deadLetters.retryGroup', sel);
        if (r.failed.length)
          toastError(
            `${r.failed.length} could not be retried`,
            new Error(r.failed.map((f) => `${f.id}: ${f.error}`).join('\n')),
          );
        toastInfo(`Retried ${r.retried.length} as new task${r.retried.length === 1 ? '' : 's'}`);
      } else {
        const r = await api.call('tasks.deadLetters.discardGroup', sel);
        if (r.failed.length)
          toastError(
            `${r.failed.length} could not be discarded`,
            new Error(r.failed.map((f) => `${f.id}: ${f.error}`).join('\n')),
          );
        toastInfo(`Discarded ${r.discarded.length} dead letter${r.discarded.length === 1 ? '' : 's'}`);
      }
      await load();
    } catch (err) {
      toastError(p.kind === 'retry' ? 'Could not retry the group' : 'Could not discard the group', err);
    } finally {
      setBusy(false);
      setPending(undefined);
    }
  };

  if (error !== undefined && !data)
    return (
      <ErrorState
        title="Could not load dead letters"
        message={toEnvelope(error).message}
        onRetry={() => void load()}
        testId="dead-error"
      />
    );
  if (!data) return <Skeleton rows={3} />;
  if (data.groups.length === 0)
    return (
      <EmptyState
        title={filter.type || filter.q ? 'No dead letters match' : 'No dead letters'}
        testId="dead-empty"
      >
        <p>
          Tasks that fail on every attempt, or that a worker terminates, end up here grouped by their error.
        </p>
      </EmptyState>
    );
  return (
    <>
      <p className="small muted dead-groups-summary" data-testid="dead-groups-summary">
        {data.total} dead letter{data.total === 1 ? '' : 's'} in {data.groups.length} group
        {data.groups.length === 1 ? '' : 's'}
        {data.truncated ? ' (the largest 200 groups)' : ''}
      </p>
      <ul className="stack-list" data-testid="dead-groups">
        {data.groups.map((g) => (
          <li
            key={g.fingerprint}
            className="dead-group"
            data-testid="dead-group"
            data-fingerprint={g.fingerprint}
          >
            <div className="dead-group-count" data-testid="dead-group-count">
              <strong>{g.count.toLocaleString('en-US')}</strong>
              <span className="small muted">{g.count === 1 ? 'letter' : 'letters'}</span>
            </div>
            <div className="dead-group-main">
              <p className="mono dead-group-message" data-testid="dead-group-message" title={g.example}>
                {g.message}
              </p>
              <p className="small muted dead-group-seen">
                first seen {formatTime(g.first_seen)} · last seen {formatTime(g.last_seen)} ·{' '}
                <span className="mono">{g.fingerprint}</span>
              </p>
              <div className="dead-group-tags">
                {g.types.map((t) => (
                  <span key={t.type} className="badge" data-testid="dead-group-type">
                    {t.type} × {t.count}
                  </span>
                ))}
                {Object.entries(g.reasons).map(([r, n]) => (
                  <span key={r} className="badge tone-bad">
                    {REASON[r] ?? r} × {n}
                  </span>
                ))}
              </div>
            </div>
            <div className="dead-group-actions">
              <button
                className="btn small ghost"
                onClick={() => onShowLetters(g)}
                data-testid="dead-group-show"
              >
                Show letters
              </button>
              <button
                className="btn small"
                onClick={() => setPending({ kind: 'retry', group: g })}
                disabled={busy}
                data-testid="dead-group-retry"
              >
                Retry all
              </button>
              <button
                className="btn small"
                onClick={() => setPending({ kind: 'edit', group: g })}
                disabled={busy}
                data-testid="dead-group-edit"
              >
                Edit &amp; retry…
              </button>
              <button
                className="btn small danger-ghost"
                onClick={() => setPending({ kind: 'discard', group: g })}
                disabled={busy}
                data-testid="dead-group-discard"
              >
                Discard all
              </button>
            </div>
          </li>
        ))}
      </ul>
      {pending && pending.kind !== 'edit' && (
        <ConfirmDialog
          title={pending.kind === 'retry' ? 'Retry the group' : 'Discard the group'}
          confirmLabel={`${pending.kind === 'retry' ? 'Retry' : 'Discard'} ${pending.group.count}`}
          danger={pending.kind === 'discard'}
          busy={busy}
          onConfirm={() => void act(pending)}
          onCancel={() => setPending(undefined)}
          testId="dead-group-confirm"
        >
          <p>
            {pending.kind === 'retry'
              ? `Re-publish the ${pending.group.count} dead letter(s) failing with “${pending.group.message}” as new tasks, each linked to the one it re-runs?`
              : `Discard the ${pending.group.count} dead letter(s) failing with “${pending.group.message}”? They keep their failed state and leave this list.`}
          </p>
        </ConfirmDialog>
      )}
      {pending?.kind === 'edit' && (
        <EditRetryDialog
          group={pending.group}
          filter={filter}
          onClose={() => setPending(undefined)}
          onDone={() => {
            setPending(undefined);
            void load();
          }}
        />
      )}
    </>
  );
}
