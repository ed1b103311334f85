import { NotConnected } from '../connections/NotConnected';
import { useCallback, useEffect, useState } from 'react';
import type { TaskSummary } from '../../../api/features/tasks';
import { api } from '../../api';
import { EmptyState, ErrorState, Skeleton } from '../../ui/States';
import { toastError, toastInfo, toEnvelope } from '../toasts/store';
import { formatTime, formatUntil } from './format';
import { useTasks } from './store';
import '../../ui/data-views.css';

/** The newest this many scheduled tasks are listed (the API's page cap), soonest first. */
const LIMIT = 1000;

/** "in 4m 10s" that moves: one timer per open tab, stopped when it closes. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/**
 * Tasks waiting in the scheduled lane (`tasks.scheduled`) until their `run_at`, soonest first,
 * each with cancel. Due ones leave the list once a JetDeck process has released them to their lane.
 */
export function Scheduled({ connected }: { connected: boolean }) {
  const version = useTasks((s) => s.version);
  const waiting = useTasks((s) => s.counts?.scheduled);
  const set = useTasks((s) => s.set);
  const [rows, setRows] = useState<TaskSummary[]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const now = useNow(1000);

  const load = useCallback(async () => {
    try {
      const r = await api.call('tasks.list', { status: 'scheduled', limit: LIMIT });
      setRows([...r.tasks].sort((a, b) => (a.run_at ?? '').localeCompare(b.run_at ?? '')));
      useTasks.getState().set({ counts: r.counts, ready: r.ready, index: r.index });
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, []);

  useEffect(() => {
    if (!connected) return;
    const t = setTimeout(() => void load(), version === 0 ? 0 : 300);
    return () => clearTimeout(t);
  }, [load, version, connected]);

  const cancel = async (t: TaskSummary) => {
    setBusy(t.id);
    try {
      await api.call('tasks.cancel', { id: t.id });
      toastInfo('Scheduled task cancelled', t.id);
      await load();
    } catch (err) {
      toastError(`Could not cancel ${t.id}`, err);
    } finally {
      setBusy(undefined);
    }
  };

  let body;
  if (!connected) body = <NotConnected testId="scheduled-not-connected" />;
  else if (error !== undefined && !rows)
    body = (
      <ErrorState
        title="Could not load scheduled tasks"
        message={toEnvelope(error).message}
        onRetry={() => void load()}
        testId="scheduled-error"
      />
    );
  else if (!rows) body = <Skeleton rows={3} />;
  else if (rows.length === 0)
    body = (
      <EmptyState title="No scheduled tasks" testId="scheduled-empty">
        <p>
          Publish with <b>Run</b> set to a delay (<code>5m</code>) or a time, or <code>POST /api/tasks</code>{' '}
          with <code>delay</code> or <code>run_at</code>: the task waits here until it is due.
        </p>
      </EmptyState>
    );
  else
    body = (
      <div className="table-scroll">
        <table className="data-table scheduled-table" data-testid="scheduled-table">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Type</th>
              <th scope="col">Runs at</th>
              <th scope="col">Due</th>
              <th scope="col">Published</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.id} data-testid="scheduled-row" data-task-id={t.id}>
                <td>
                  <button
                    className="link mono"
                    onClick={() => set({ selectedId: t.id })}
                    data-testid="scheduled-open"
                  >
                    {t.priority === 'high' && <span title="high priority">▲ </span>}
                    {t.id}
                  </button>
                </td>
                <td>{t.type}</td>
                <td className="mono">{formatTime(t.run_at)}</td>
                <td data-testid="scheduled-due">{formatUntil(t.run_at, now)}</td>
                <td className="muted">{formatTime(t.published_at)}</td>
                <td className="actions-cell">
                  <button
                    className="btn small danger-ghost"
                    onClick={() => void cancel(t)}
                    disabled={busy !== undefined}
                    aria-label={`Cancel scheduled task ${t.id}`}
                    data-testid="scheduled-cancel"
                  >
                    Cancel
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );

  return (
    <div className="card" data-testid="scheduled">
      <div className="card-head">
        <h2>Scheduled</h2>
        <span className="muted small" data-testid="scheduled-count">
          {waiting === undefined ? '' : `${waiting.toLocaleString('en-US')} waiting in tasks.scheduled`}
          {rows && waiting !== undefined && waiting > rows.length && rows.length >= LIMIT
            ? ` · the newest ${LIMIT.toLocaleString('en-US')} listed`
            : ''}
        </span>
      </div>
      {body}
    </div>
  );
}
