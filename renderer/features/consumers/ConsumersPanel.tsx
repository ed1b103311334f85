import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import type { CONSUMER_SORT_KEYS, ConsumerListResult, ConsumerSummary } from '../../../api/features/streams';
import { Icon } from '../../ui/Icon';
import { EmptyState, ErrorState, Skeleton } from '../../ui/States';
import { formatAgo, formatCount } from '../../ui/format';
import { errorMessage } from '../streams/format';
import { ConsumerDetail } from './ConsumerDetail';
import { ConsumerEditor } from './ConsumerEditor';
import '../streams/streams.css';
import './consumers.css';
import { ConsumerHealthBadge } from '../monitor/HealthCells';
import { SearchBox } from '../../ui/SearchBox';

type SortKey = (typeof CONSUMER_SORT_KEYS)[number];
const REFRESH_MS = 5000;

const COLUMNS: { key?: SortKey; label: string; num?: boolean; compact?: boolean }[] = [
  { key: 'name', label: 'Consumer', compact: true },
  { key: 'stream', label: 'Stream' },
  { label: 'Kind' },
  { key: 'lag', label: 'Pending (lag)', num: true, compact: true },
  { key: 'ackPending', label: 'Ack pending', num: true, compact: true },
  { key: 'redelivered', label: 'Redelivered', num: true, compact: true },
  { key: 'waiting', label: 'Waiting', num: true },
  { label: 'Delivered / ack floor', num: true },
  { key: 'lastActive', label: 'Last active', compact: true },
];

/**
 * Consumers of one stream (`stream` set) or of all streams, with state, sortable by lag, and
 * their admin actions. Used by the Consumers screen and the stream drawer.
 */
export function ConsumersPanel({
  stream,
  compact,
  openName,
  onOpened,
}: {
  stream?: string;
  compact?: boolean;
  /** Open this consumer's drawer once the list holds it (a link to one consumer). */
  openName?: string;
  onOpened?: () => void;
}) {
  const [result, setResult] = useState<ConsumerListResult>();
  const [error, setError] = useState<unknown>();
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; order: 'asc' | 'desc' }>({ key: 'lag', order: 'desc' });
  const [open, setOpen] = useState<ConsumerSummary>();
  const [creating, setCreating] = useState(false);
  const seq = useRef(0);

  const load = useCallback(() => {
    const my = ++seq.current;
    api
      .call('consumers.list', { stream, search: search || undefined, sort: sort.key, order: sort.order })
      .then((r) => {
        if (my !== seq.current) return;
        setResult(r);
        setError(undefined);
      })
      .catch((e: unknown) => my === seq.current && setError(e));
  }, [stream, search, sort]);
  useEffect(() => {
    const wanted = openName && result?.consumers.find((c) => c.name === openName);
    if (!wanted) return;
    setOpen(wanted);
    onOpened?.();
  }, [openName, result, onOpened]);
  useEffect(() => {
    load();
    const t = setInterval(() => document.visibilityState === 'visible' && load(), REFRESH_MS);
    return () => clearInterval(t);
  }, [load]);

  const cols = COLUMNS.filter((c) => (!compact || c.compact) && !(stream && c.key === 'stream'));
  const toggle = (key: SortKey) =>
    setSort((s) => ({
      key,
      order:
        s.key === key
          ? s.order === 'asc'
            ? 'desc'
            : 'asc'
          : key === 'name' || key === 'stream'
            ? 'asc'
            : 'desc',
    }));

  return (
    <div className="form" data-testid="consumers-panel">
      <div className="toolbar">
        <SearchBox
          value={search}
          onValue={setSearch}
          placeholder="Search consumers"
          testId="consumers-search"
        />
        {result && <span className="muted small">{formatCount(result.total)} consumer(s)</span>}
        <span className="spacer" />
        {stream && (
          <button className="btn small" onClick={() => setCreating(true)} data-testid="create-consumer">
            <Icon name="plus" size={12} /> New consumer
          </button>
        )}
      </div>
      {result && result.errors.length > 0 && (
        <div className="banner warn small">
          <div className="banner-main">
            Could not list consumers of:{' '}
            {result.errors.map((e) => (
              <span key={e.stream}>
                <b>{e.stream}</b> ({e.message}){' '}
              </span>
            ))}
          </div>
        </div>
      )}
      {error !== undefined && !result ? (
        <ErrorState title="Could not list consumers" message={errorMessage(error)} onRetry={load} />
      ) : !result ? (
        <Skeleton rows={3} />
      ) : result.consumers.length === 0 ? (
        <EmptyState title={search ? 'No consumer matches' : 'No consumers'} testId="consumers-empty" />
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="consumers-table">
            <thead>
              <tr>
                {cols.map((c) => (
                  <th key={c.label} className={c.num ? 'num' : undefined}>
                    {c.key ? (
                      <button
                        className={`sort-btn${sort.key === c.key ? ' on' : ''}`}
                        onClick={() => toggle(c.key!)}
                        data-testid={`consumer-sort-${c.key}`}
                      >
                        {c.label}
                        {sort.key === c.key && (
                          <span aria-hidden="true">{sort.order === 'asc' ? '▲' : '▼'}</span>
                        )}
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.consumers.map((c) => (
                <tr
                  key={`${c.stream}/${c.name}`}
                  className="clickable"
                  onClick={() => setOpen(c)}
                  tabIndex={0}
                  onKeyDown={(e) => e.key === 'Enter' && setOpen(c)}
                  data-testid="consumer-row"
                  data-consumer={c.name}
                >
                  {cols.map((col) => (
                    <td key={col.label} className={col.num ? 'num' : undefined}>
                      <Cell c={c} label={col.label} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && (
        <ConsumerDetail
          stream={open.stream}
          name={open.name}
          onClose={() => {
            setOpen(undefined);
            load();
          }}
        />
      )}
      {creating && stream && (
        <ConsumerEditor
          stream={stream}
          capabilities={result?.capabilities}
          onClose={() => setCreating(false)}
          onSaved={() => {
            setCreating(false);
            load();
          }}
        />
      )}
    </div>
  );
}

function Cell({ c, label }: { c: ConsumerSummary; label: string }) {
  switch (label) {
    case 'Consumer':
      return (
        <>
          <b>{c.name}</b> <ConsumerHealthBadge stream={c.stream} consumer={c.name} />
          {c.paused && <span className="badge warn-badge">paused</span>}
          <div className="muted small">
            {c.durable ? 'durable' : 'ephemeral'}
            {c.filterSubjects.length > 0 && ` · ${c.filterSubjects.join(', ')}`}
          </div>
        </>
      );
    case 'Stream':
      return <>{c.stream}</>;
    case 'Kind':
      return (
        <>
          {c.kind}
          <div className="muted small">ack {c.ackPolicy}</div>
        </>
      );
    case 'Pending (lag)':
      return <span data-testid="consumer-lag">{formatCount(c.lag)}</span>;
    case 'Ack pending':
      return <>{formatCount(c.numAckPending)}</>;
    case 'Redelivered':
      return <>{formatCount(c.numRedelivered)}</>;
    case 'Waiting':
      return <>{formatCount(c.numWaiting)}</>;
    case 'Delivered / ack floor':
      return (
        <>
          {formatCount(c.delivered.streamSeq)} / {formatCount(c.ackFloor.streamSeq)}
        </>
      );
    case 'Last active':
      return <span title={c.lastActive}>{c.lastActive ? formatAgo(c.lastActive) : 'never'}</span>;
    default:
      return null;
  }
}
