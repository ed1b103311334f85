import { useCallback, useEffect, useRef, useState } from 'react';
import type { TaskDetail as Detail, TimelineEntry } from '../../../api/features/tasks';
import { TERMINAL_STATUSES } from '../../../api/task-wire';
import { api } from '../../api';
import { JsonView } from '../../ui/JsonView';
import { Modal } from '../../ui/Modal';
import { ErrorState, Skeleton } from '../../ui/States';
import { toastError, toastInfo, toEnvelope } from '../toasts/store';
import { asCurl, asJson, asNatsCli } from './copy-as';
import { formatPreciseTime, formatTime } from './format';
import { StatusBadge } from './StatusBadge';
import { useTasks } from './store';
import { formatDuration } from '../../ui/format';

/** The selected task: everything the stream knows about it, and what can be done with it. */
export function TaskDetailPanel({ id }: { id: string }) {
  const set = useTasks((s) => s.set);
  const version = useTasks((s) => s.version);
  const lastChanged = useTasks((s) => s.lastChanged);
  const [task, setTask] = useState<Detail>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<'cancel' | 'retry'>();

  const load = useCallback(async () => {
    try {
      const t = await api.call('tasks.get', { id });
      setTask(t);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, [id]);

  useEffect(() => {
    setTask(undefined);
    setError(undefined);
    void load();
  }, [load]);

  // Refetch (debounced) when a change batch mentions this task. A later batch that does not
  // mention it (counts, index progress) must not cancel the refetch already due.
  const mine = lastChanged === 'all' || lastChanged.includes(id);
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    if (!mine || version === 0 || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      void load();
    }, 150);
  }, [version, mine, load]);
  useEffect(
    () => () => {
      clearTimeout(pending.current);
      pending.current = undefined;
    },
    [load],
  );

  const open = (other: string) => set({ selectedId: other });
  const close = () => set({ selectedId: undefined });

  const cancel = async () => {
    setBusy('cancel');
    try {
      await api.call('tasks.cancel', { id });
      toastInfo('Cancel requested', `Workers skip ${id} or abort it if it is running.`);
      await load();
    } catch (err) {
      toastError(`Could not cancel ${id}`, err);
    } finally {
      setBusy(undefined);
    }
  };
  const retry = async () => {
    setBusy('retry');
    try {
      const r = await api.call('tasks.retry', { id });
      toastInfo('Retried as a new task', r.task.id);
      open(r.task.id);
    } catch (err) {
      toastError(`Could not retry ${id}`, err);
    } finally {
      setBusy(undefined);
    }
  };
  const copy = (what: string, text: string) => {
    navigator.clipboard?.writeText(text).then(
      () => toastInfo(`Copied ${what}`),
      (err: unknown) => toastError(`Could not copy ${what}`, err),
    );
  };

  const terminal = task ? TERMINAL_STATUSES.includes(task.status) : false;
  return (
    <Modal
      title="Task"
      variant="drawer"
      onClose={close}
      testId="task-detail"
      footer={
        task && (
          <div className="detail-actions">
            <button className="btn" onClick={() => copy('as JSON', asJson(task))} data-testid="copy-json">
              Copy JSON
            </button>
            <button className="btn" onClick={() => copy('as curl', asCurl(task))} data-testid="copy-curl">
              Copy curl
            </button>
            <button
              className="btn"
              onClick={() => copy('as nats CLI', asNatsCli(task))}
              data-testid="copy-nats"
            >
              Copy nats CLI
            </button>
            <span className="spacer" />
            {!terminal && (
              <button
                className="btn danger-ghost"
                onClick={() => void cancel()}
                disabled={busy !== undefined || task.cancel_requested}
                data-testid="task-cancel"
              >
                {task.cancel_requested ? 'Cancel requested' : busy === 'cancel' ? 'Cancelling…' : 'Cancel'}
              </button>
            )}
            {terminal && (
              <button
                className="btn primary"
                onClick={() => void retry()}
                disabled={busy !== undefined || !task.task}
                data-testid="task-retry"
              >
                {busy === 'retry' ? 'Retrying…' : 'Retry as new task'}
              </button>
            )}
          </div>
        )
      }
    >
      {!task && !error && <Skeleton rows={6} />}
      {error !== undefined && !task && (
        <ErrorState
          title={`Could not load ${id}`}
          message={toEnvelope(error).message}
          onRetry={() => void load()}
          testId="task-detail-error"
        />
      )}
      {task && <DetailBody task={task} onOpen={open} />}
    </Modal>
  );
}

function DetailBody({ task, onOpen }: { task: Detail; onOpen: (id: string) => void }) {
  const showError = task.last_error && task.status !== 'completed';
  return (
    <div
      className="task-detail"
      data-testid="task-detail-body"
      data-task-id={task.id}
      data-status={task.status}
    >
      <div className="detail-title">
        <code className="detail-id" data-testid="detail-id">
          {task.id}
        </code>
        <StatusBadge status={task.status} />
        {task.priority === 'high' && <span className="badge tone-warn">high priority</span>}
        {task.discarded && <span className="badge">discarded</span>}
      </div>
      <dl className="kv compact detail-kv">
        <dt>type</dt>
        <dd data-testid="detail-type">{task.type}</dd>
        <dt>subject</dt>
        <dd className="mono">{task.subject || '—'}</dd>
        <dt>stream seq</dt>
        <dd>{task.seq || '—'}</dd>
        {task.run_at && (
          <>
            <dt>runs at</dt>
            <dd data-testid="detail-run-at">{formatTime(task.run_at)}</dd>
          </>
        )}
        <dt>attempts</dt>
        <dd data-testid="detail-attempts">
          {task.attempts}
          {task.task?.max_attempts ? ` of ${task.task.max_attempts}` : ''}
        </dd>
        <dt>worker</dt>
        <dd>{task.worker ?? '—'}</dd>
        <dt>duration</dt>
        <dd>{formatDuration(task.duration_ms)}</dd>
        {task.retry_of && (
          <>
            <dt>retry of</dt>
            <dd>
              <button
                className="link mono"
                onClick={() => onOpen(task.retry_of!)}
                data-testid="detail-retry-of"
              >
                {task.retry_of}
              </button>
            </dd>
          </>
        )}
        {task.retried_as && task.retried_as.length > 0 && (
          <>
            <dt>retried as</dt>
            <dd className="detail-links">
              {task.retried_as.map((r) => (
                <button
                  key={r}
                  className="link mono"
                  onClick={() => onOpen(r)}
                  data-testid="detail-retried-as"
                >
                  {r}
                </button>
              ))}
            </dd>
          </>
        )}
      </dl>
      {showError && (
        <div className="banner error" data-testid="detail-error">
          <div className="banner-main">
            <strong>Error</strong>
            <pre className="detail-error-text">{task.last_error}</pre>
          </div>
        </div>
      )}
      <section>
        <h3 className="detail-h">Timeline</h3>
        <ol className="timeline" data-testid="timeline">
          {task.timeline.map((e, i) => (
            <TimelineItem key={i} e={e} onOpen={onOpen} />
          ))}
        </ol>
      </section>
      <section>
        <h3 className="detail-h">Payload</h3>
        {task.task ? (
          <JsonView value={task.task.payload ?? null} testId="detail-payload" />
        ) : (
          <p className="muted small">The task message is not valid JSON or is no longer indexed.</p>
        )}
      </section>
      {task.result !== undefined && (
        <section>
          <h3 className="detail-h">Result</h3>
          <JsonView value={task.result} testId="detail-result" />
        </section>
      )}
      {task.headers && (
        <section>
          <h3 className="detail-h">Headers</h3>
          <dl className="kv compact">
            {Object.entries(task.headers).map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="mono">{k}</dt>
                <dd className="mono">{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      )}
    </div>
  );
}

/** What the worker does right after a report is stored (see worker/runtime.ts). */
const FOLLOW_UP: Partial<Record<string, string>> = {
  completed: 'acked',
  cancelled: 'acked',
  retrying: 'nak — redelivered after the backoff',
  failed: 'terminated (no more deliveries)',
};

function TimelineItem({ e, onOpen }: { e: TimelineEntry; onOpen: (id: string) => void }) {
  const tone = e.kind === 'status' ? e.status : e.kind;
  return (
    <li className={`tl tl-${tone}`} data-testid="timeline-entry" data-kind={e.kind} data-status={e.status}>
      <span className="tl-dot" aria-hidden="true" />
      <div className="tl-main">
        <div className="tl-head">
          <strong>{title(e)}</strong>
          <span className="muted small">{formatPreciseTime(e.at)}</span>
        </div>
        <div className="tl-meta small muted">
          {e.seq !== undefined && <span>seq {e.seq}</span>}
          {e.subject && <span className="mono">{e.subject}</span>}
          {e.attempt !== undefined && <span>attempt {e.attempt}</span>}
          {e.worker && <span>worker {e.worker}</span>}
          {e.started_at && <span>started {formatPreciseTime(e.started_at)}</span>}
          {e.duration_ms !== undefined && <span>took {formatDuration(e.duration_ms)}</span>}
          {e.progress !== undefined && <span>{Math.round(e.progress * 100)}%</span>}
          {e.deliveries !== undefined && <span>{e.deliveries} deliveries</span>}
        </div>
        {e.note && <div className="small">{e.note}</div>}
        {e.error && (
          <pre className="tl-error" data-testid="timeline-error">
            {e.error}
          </pre>
        )}
        {e.result !== undefined && <JsonView value={e.result} testId="timeline-result" />}
        {e.retry_of && (
          <div className="small">
            re-runs{' '}
            <button className="link mono" onClick={() => onOpen(e.retry_of!)}>
              {e.retry_of}
            </button>
          </div>
        )}
        {e.retried_as && (
          <div className="small">
            <button
              className="link mono"
              onClick={() => onOpen(e.retried_as!)}
              data-testid="timeline-retried-as"
            >
              {e.retried_as}
            </button>
          </div>
        )}
        {e.kind === 'status' && e.status && FOLLOW_UP[e.status] && e.worker !== 'jetdeck' && (
          <div className="small muted tl-follow">→ {FOLLOW_UP[e.status]}</div>
        )}
      </div>
    </li>
  );
}

function title(e: TimelineEntry): string {
  switch (e.kind) {
    case 'published':
      return 'Published';
    case 'cancel-request':
      return 'Cancel requested';
    case 'discarded':
      return 'Dead letter discarded';
    case 'retried-as':
      return 'Retried as a new task';
    case 'advisory':
      return e.reason === 'max_deliveries'
        ? 'JetStream: max deliveries reached'
        : 'JetStream: message terminated';
    case 'status':
      if (e.status === 'processing' && e.progress !== undefined) return 'Progress';
      if (e.status === 'processing') return `Delivered — processing`;
      return e.status ? e.status[0].toUpperCase() + e.status.slice(1) : 'Status';
  }
}
