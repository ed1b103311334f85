import type { StreamSummary } from '../../../api/features/streams';
import { Sparkline } from '../../ui/Sparkline';
import { StreamHealthBadge } from '../monitor/HealthCells';
import { formatAgo, formatBytes, formatCount } from '../../ui/format';
import { formatRate } from './format';
import { useStreams, type StreamSort } from './store';

function SortHeader({ label, sort, num }: { label: string; sort: StreamSort; num?: boolean }) {
  const q = useStreams((s) => s.query);
  const setQuery = useStreams((s) => s.setQuery);
  const on = q.sort === sort;
  const next = on ? (q.order === 'asc' ? 'desc' : 'asc') : sort === 'name' ? 'asc' : 'desc';
  return (
    <th
      className={num ? 'num' : undefined}
      aria-sort={on ? (q.order === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button
        className={`sort-btn${on ? ' on' : ''}`}
        onClick={() => setQuery({ sort, order: next, offset: 0 })}
        data-testid={`sort-${sort}`}
      >
        {label}
        {on && <span aria-hidden="true">{q.order === 'asc' ? '▲' : '▼'}</span>}
      </button>
    </th>
  );
}

function Replicas({ s }: { s: StreamSummary }) {
  const c = s.cluster;
  if (!c || s.replicas <= 1) return <span>R{s.replicas}</span>;
  const bad = c.replicas.filter((r) => !r.current || r.offline);
  const title = [
    `leader: ${c.leader ?? 'none'}`,
    ...c.replicas.map(
      (r) => `${r.name}: ${r.offline ? 'offline' : r.current ? 'current' : `lagging ${r.lag}`}`,
    ),
  ].join('\n');
  return (
    <span title={title} className="replicas">
      <span className={`dot ${c.healthy ? 'ok' : bad.length ? 'bad' : 'warn'}`} /> R{s.replicas}
      <span className="muted small ellipsis"> {c.leader ?? 'no leader'}</span>
    </span>
  );
}

function SeqCell({ seq, time }: { seq: number; time?: string }) {
  return (
    <>
      <div className="num-cell">{formatCount(seq)}</div>
      <div className="muted small" title={time}>
        {formatAgo(time)}
      </div>
    </>
  );
}

export function StreamTable({
  streams,
  onOpen,
}: {
  streams: StreamSummary[];
  onOpen: (name: string) => void;
}) {
  const rates = useStreams((s) => s.rates);
  return (
    <div className="table-wrap">
      <table className="data-table streams-table" data-testid="streams-table">
        <thead>
          <tr>
            <SortHeader label="Name" sort="name" />
            <th>Subjects</th>
            <th>Storage</th>
            <th>Replicas</th>
            <SortHeader label="Messages" sort="messages" num />
            <SortHeader label="Bytes" sort="bytes" num />
            <th className="num">First</th>
            <SortHeader label="Last" sort="lastTime" num />
            <SortHeader label="Consumers" sort="consumers" num />
            <th>Rate</th>
          </tr>
        </thead>
        <tbody>
          {streams.map((s) => {
            const pts = rates[s.name] ?? s.rate;
            return (
              <tr
                key={s.name}
                className="clickable"
                onClick={() => onOpen(s.name)}
                data-testid="stream-row"
                data-stream={s.name}
                tabIndex={0}
                onKeyDown={(e) => e.key === 'Enter' && onOpen(s.name)}
              >
                <td>
                  <div className="stream-name">
                    {s.name} <StreamHealthBadge stream={s.name} />
                  </div>
                  <div className="muted small">
                    {s.retention}
                    {s.isMirror && ' · mirror'}
                    {s.sourceCount > 0 && ` · ${s.sourceCount} source${s.sourceCount > 1 ? 's' : ''}`}
                  </div>
                </td>
                <td className="subjects-cell">
                  {s.subjects.slice(0, 3).map((x) => (
                    <code key={x}>{x}</code>
                  ))}
                  {s.subjects.length > 3 && <span className="muted small"> +{s.subjects.length - 3}</span>}
                  {s.subjects.length === 0 && <span className="muted">—</span>}
                </td>
                <td>{s.storage}</td>
                <td>
                  <Replicas s={s} />
                </td>
                <td className="num" data-testid="stream-messages">
                  {formatCount(s.messages)}
                  {s.deleted > 0 && <div className="muted small">{formatCount(s.deleted)} deleted</div>}
                </td>
                <td className="num">{formatBytes(s.bytes)}</td>
                <td className="num">
                  <SeqCell seq={s.firstSeq} time={s.firstTime} />
                </td>
                <td className="num">
                  <SeqCell seq={s.lastSeq} time={s.lastTime} />
                </td>
                <td className="num">{formatCount(s.consumers)}</td>
                <td>
                  <Sparkline points={pts} label={`${formatRate(pts[pts.length - 1])} messages`} />
                  <div className="muted small">
                    {pts.length ? formatRate(pts[pts.length - 1]) : 'sampling…'}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
