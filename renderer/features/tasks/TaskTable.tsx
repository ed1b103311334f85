import { NotConnected } from '../connections/NotConnected';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { TaskSummary } from '../../../api/features/tasks';
import { TASK_STATUSES } from '../../../api/task-wire';
import { toEnvelope } from '../toasts/store';
import { EmptyState, ErrorState, Skeleton } from '../../ui/States';
import { formatTime } from './format';
import { PUBLISH_TYPE_INPUT_ID } from './PublishForm';
import { StatusBadge } from './StatusBadge';
import { useTasks } from './store';
import { useTaskList } from './use-task-list';
import { SavedViews } from '../views/SavedViews';
import { TypeFilterBar } from './TypeFilterBar';
import { formatDuration } from '../../ui/format';

const ROW_H = 34;

/** Status chips with live counts, a type filter and an id search. */
function Filters({ types }: { types: string[] }) {
  const filter = useTasks((s) => s.filter);
  const counts = useTasks((s) => s.counts);
  const set = useTasks((s) => s.set);
  const [q, setQ] = useState(filter.q ?? '');
  useEffect(() => {
    const t = setTimeout(() => {
      if ((filter.q ?? '') !== q.trim())
        set({ filter: { ...useTasks.getState().filter, q: q.trim() || undefined } });
    }, 250);
    return () => clearTimeout(t);
  }, [q, filter.q, set]);
  const chip = (status: (typeof TASK_STATUSES)[number] | undefined, label: string, n: number | undefined) => (
    <button
      key={label}
      type="button"
      className={`chip${filter.status === status ? ' on' : ''}${status ? ` chip-${status}` : ''}`}
      aria-pressed={filter.status === status}
      onClick={() => set({ filter: { ...filter, status } })}
      data-testid={`status-chip-${status ?? 'all'}`}
    >
      {label}{' '}
      <span className="chip-count" data-testid="chip-count">
        {(n ?? 0).toLocaleString('en-US')}
      </span>
    </button>
  );
  return (
    <div className="task-filters">
      <div className="chips" role="group" aria-label="Filter by status">
        {chip(undefined, 'all', counts?.total)}
        {TASK_STATUSES.map((s) => chip(s, s, counts?.[s]))}
      </div>
      <TypeFilterBar
        className="task-filter-inputs"
        types={types}
        type={filter.type ?? ''}
        onType={(type) => set({ filter: { ...filter, type } })}
        q={q}
        onQ={setQ}
      >
        <SavedViews
          screen="tasks"
          filter={filter}
          onApply={(f) => {
            setQ(f.q ?? '');
            set({ filter: f });
          }}
        />
      </TypeFilterBar>
    </div>
  );
}

function Row({ t, selected, onOpen }: { t: TaskSummary; selected: boolean; onOpen: () => void }) {
  return (
    <div
      role="row"
      tabIndex={0}
      className={`task-row${selected ? ' selected' : ''}`}
      onClick={onOpen}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onOpen())}
      aria-selected={selected}
      data-testid="task-row"
      data-task-id={t.id}
      data-status={t.status}
    >
      <span role="cell" className="mono ellipsis" title={t.id}>
        {t.priority === 'high' && (
          <span className="prio" title="high priority">
            ▲
          </span>
        )}
        {t.id}
      </span>
      <span role="cell" className="ellipsis" title={t.type}>
        {t.type}
      </span>
      <span role="cell">
        <StatusBadge status={t.status} />
      </span>
      <span role="cell" className="num">
        {t.attempts}
      </span>
      <span role="cell" className="ellipsis muted" title={t.worker}>
        {t.worker ?? '—'}
      </span>
      <span role="cell" className="muted">
        {formatTime(t.published_at)}
      </span>
      <span role="cell" className="muted">
        {formatTime(t.updated_at)}
      </span>
      <span role="cell" className="num">
        {formatDuration(t.duration_ms)}
      </span>
    </div>
  );
}

/** The virtualized task table with live updates and infinite scroll. */
export function TaskTable({ types, connected }: { types: string[]; connected: boolean }) {
  const filter = useTasks((s) => s.filter);
  const counts = useTasks((s) => s.counts);
  const ready = useTasks((s) => s.ready);
  const index = useTasks((s) => s.index);
  const selectedId = useTasks((s) => s.selectedId);
  const set = useTasks((s) => s.set);
  const list = useTaskList(filter, connected);
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: list.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 12,
  });
  const items = v.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { setWindow, loadMore, next } = list;
  useEffect(() => {
    setWindow(first, last);
    if (next && last >= list.rows.length - 30) void loadMore();
  }, [first, last, list.rows.length, next, setWindow, loadMore]);

  const filtered = Boolean(filter.status || filter.type || filter.q);
  let body;
  if (!connected) {
    body = (
      <NotConnected testId="tasks-not-connected">
        JetDeck needs a NATS server with JetStream to list its tasks.
      </NotConnected>
    );
  } else if (list.phase === 'loading') {
    body = <Skeleton rows={5} />;
  } else if (list.phase === 'error' && list.rows.length === 0) {
    body = (
      <ErrorState
        title="Could not load tasks"
        message={toEnvelope(list.error).message}
        onRetry={list.reload}
        testId="tasks-error"
      />
    );
  } else if (list.rows.length === 0) {
    body = filtered ? (
      <EmptyState title="No tasks match these filters" testId="tasks-no-match">
        <button className="btn" onClick={() => set({ filter: {} })} data-testid="clear-filters">
          Clear filters
        </button>
      </EmptyState>
    ) : !ready ? (
      <EmptyState title="Loading the newest tasks…" testId="tasks-indexing" />
    ) : (
      <EmptyState title="No tasks yet — publish one" testId="tasks-empty">
        <p>Tasks published here, by the REST API or by any NATS client to tasks.new show up at once.</p>
        <button
          className="btn primary"
          onClick={() => document.getElementById(PUBLISH_TYPE_INPUT_ID)?.focus()}
          data-testid="tasks-empty-publish"
        >
          Publish a task
        </button>
      </EmptyState>
    );
  }

  return (
    <div className="card task-table-card" data-testid="task-table">
      <Filters types={types} />
      {connected && index && index.lag > 0 && (
        <div className={`banner ${index.stale ? 'warn' : 'info'}`} role="status" data-testid="tasks-lag">
          {index.stale
            ? `Task states are not moving: ${index.lag.toLocaleString()} stream messages not indexed yet${index.last_error ? ` (${index.last_error})` : ''}. Counts are the stream's own.`
            : `Catching up: ${index.lag.toLocaleString()} stream messages behind.`}
        </div>
      )}
      {body ?? (
        <div className="task-table" role="table" aria-label="Tasks" aria-rowcount={counts?.total}>
          <div className="task-row head" role="row">
            <span role="columnheader">Id</span>
            <span role="columnheader">Type</span>
            <span role="columnheader">Status</span>
            <span role="columnheader" className="num">
              Attempts
            </span>
            <span role="columnheader">Worker</span>
            <span role="columnheader">Created</span>
            <span role="columnheader">Updated</span>
            <span role="columnheader" className="num">
              Duration
            </span>
          </div>
          <div ref={scroller} className="task-scroll" data-testid="task-scroll">
            <div style={{ height: v.getTotalSize(), position: 'relative' }}>
              {items.map((it) => {
                const t = list.rows[it.index];
                return (
                  <div
                    key={t.id}
                    className="task-row-slot"
                    style={{ transform: `translateY(${it.start}px)`, height: ROW_H }}
                  >
                    <Row t={t} selected={t.id === selectedId} onOpen={() => set({ selectedId: t.id })} />
                  </div>
                );
              })}
            </div>
          </div>
          <div className="task-table-foot small muted">
            <span data-testid="task-loaded">
              {list.rows.length.toLocaleString('en-US')} shown{list.next ? ' — scroll for older' : ''}
            </span>
            {list.loadingMore && <span>Loading more…</span>}
            {list.phase === 'error' && (
              <span className="error-text">Refresh failed: {toEnvelope(list.error).message}</span>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
