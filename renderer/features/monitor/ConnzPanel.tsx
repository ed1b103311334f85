import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { ConnzResult, ConnzSortField, MonitorClient } from '../../../api/features/monitor';
import { api } from '../../api';
import { formatBytes, formatCount, formatDuration, secondsToMs } from '../../ui/format';
import { ErrorState, Skeleton } from '../../ui/States';
import { toEnvelope } from '../toasts/store';

const POLL_MS = 5000;
const ROW_H = 32;
const LIMIT = 2000;

interface Column {
  field: ConnzSortField;
  label: string;
  num?: boolean;
  render: (c: MonitorClient) => string;
}

const COLUMNS: Column[] = [
  { field: 'cid', label: 'CID', num: true, render: (c) => String(c.cid) },
  { field: 'server', label: 'Server', render: (c) => c.server },
  {
    field: 'name',
    label: 'Name',
    render: (c) => c.name || `${c.lang ?? ''} ${c.version ?? ''}`.trim() || '—',
  },
  { field: 'inMsgs', label: 'Msgs in', num: true, render: (c) => formatCount(c.inMsgs) },
  { field: 'outMsgs', label: 'Msgs out', num: true, render: (c) => formatCount(c.outMsgs) },
  { field: 'inBytes', label: 'Bytes in', num: true, render: (c) => formatBytes(c.inBytes) },
  { field: 'outBytes', label: 'Bytes out', num: true, render: (c) => formatBytes(c.outBytes) },
  { field: 'subscriptions', label: 'Subs', num: true, render: (c) => formatCount(c.subscriptions) },
  { field: 'pendingBytes', label: 'Pending', num: true, render: (c) => formatBytes(c.pendingBytes) },
  { field: 'uptimeSec', label: 'Uptime', num: true, render: (c) => formatDuration(secondsToMs(c.uptimeSec)) },
  { field: 'idleSec', label: 'Idle', num: true, render: (c) => formatDuration(secondsToMs(c.idleSec)) },
  {
    field: 'rttMs',
    label: 'RTT',
    num: true,
    render: (c) => (c.rttMs === undefined ? '—' : `${c.rttMs.toFixed(c.rttMs < 10 ? 1 : 0)} ms`),
  },
];

/** The connz client list: sorted and searched by the core, refreshed every few seconds, virtualized. */
export function ConnzPanel() {
  const [sort, setSort] = useState<ConnzSortField>('inMsgs');
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [res, setRes] = useState<ConnzResult>();
  const [error, setError] = useState<unknown>();
  const [attempt, setAttempt] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const t = setTimeout(() => setQuery(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const r = await api.call('monitor.connz', { sort, order, limit: LIMIT, q: query || undefined });
        if (!stopped) {
          setRes(r);
          setError(undefined);
        }
      } catch (err) {
        if (!stopped) setError(err);
      }
      if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [sort, order, query, attempt]);

  const clients = res?.clients ?? [];
  const v = useVirtualizer({
    count: clients.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 12,
  });

  const toggle = (f: ConnzSortField) => {
    if (f === sort) setOrder(order === 'desc' ? 'asc' : 'desc');
    else {
      setSort(f);
      setOrder(f === 'name' || f === 'server' ? 'asc' : 'desc');
    }
  };

  if (!res && error !== undefined)
    return (
      <ErrorState
        title="Could not list connections"
        message={toEnvelope(error).message}
        onRetry={() => setAttempt((a) => a + 1)}
        testId="monitor-connz-error"
      />
    );
  if (!res) return <Skeleton rows={6} />;
  return (
    <div className="monitor-panel" data-testid="monitor-connz">
      <div className="charts-toolbar">
        <input
          type="search"
          className="connz-search"
          placeholder="Search name, IP, account, user, language…"
          aria-label="Search connections"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          data-testid="connz-search"
        />
        <span className="muted small" data-testid="connz-count">
          {formatCount(clients.length)} shown of {formatCount(res.total)}
          {res.scope === 'account' ? " · this account's connections only" : ''}
        </span>
        {error !== undefined && (
          <span className="error-text small">refresh failed: {toEnvelope(error).message}</span>
        )}
      </div>
      <div className="connz-table" role="table" aria-label="Connections">
        <div className="connz-row connz-head" role="row">
          {COLUMNS.map((c) => (
            <span
              key={c.field}
              role="columnheader"
              className={c.num ? 'num' : ''}
              aria-sort={sortAria(c.field, sort, order)}
            >
              <button
                className={`sort-btn${sort === c.field ? ' on' : ''}`}
                onClick={() => toggle(c.field)}
                data-testid={`connz-sort-${c.field}`}
              >
                {c.label}
                {sort === c.field ? (order === 'desc' ? ' ↓' : ' ↑') : ''}
              </button>
            </span>
          ))}
        </div>
        <div className="connz-scroll" ref={scroller}>
          {clients.length === 0 ? (
            <p className="muted connz-empty">No connections match.</p>
          ) : (
            <div style={{ height: v.getTotalSize(), position: 'relative' }}>
              {v.getVirtualItems().map((it) => {
                const c = clients[it.index];
                return (
                  <div
                    key={`${c.server}-${c.cid}`}
                    role="row"
                    className="connz-row"
                    data-testid="connz-row"
                    title={[
                      c.ip && `${c.ip}:${c.port}`,
                      c.account && `account ${c.account}`,
                      c.user && `user ${c.user}`,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                    style={{
                      position: 'absolute',
                      top: 0,
                      left: 0,
                      right: 0,
                      height: ROW_H,
                      transform: `translateY(${it.start}px)`,
                    }}
                  >
                    {COLUMNS.map((col) => (
                      <span key={col.field} role="cell" className={`ellipsis${col.num ? ' num' : ''}`}>
                        {col.render(c)}
                      </span>
                    ))}
                  </div>
                );
              })}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

function sortAria(
  f: ConnzSortField,
  sort: ConnzSortField,
  order: 'asc' | 'desc',
): 'ascending' | 'descending' | 'none' {
  if (f !== sort) return 'none';
  return order === 'asc' ? 'ascending' : 'descending';
}
