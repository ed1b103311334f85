import type { TypeStatsRow } from '../../../api/features/type-stats';
import { api } from '../../api';
import { usePolling } from '../../ui/usePolling';
import '../../ui/data-views.css';
import './workers.css';

const POLL_MS = 2_000;

const rate = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const ms = (n: number | null) => (n === null ? '—' : n >= 100 ? `${n.toFixed(0)} ms` : `${n.toFixed(1)} ms`);
const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(r > 0 && r < 0.01 ? 2 : 1)}%`);

/**
 * Per task type: throughput, failure rate and handler latency over the last minute of every
 * worker on the cluster — this process's pool and each `jetdeck worker` (20 types by name per
 * worker, the rest as "other"). Shown on Workers and Monitor.
 */
export function TypeStatsTable({ enabled, testId = 'type-stats' }: { enabled: boolean; testId?: string }) {
  const polled = usePolling(() => api.call('workers.typeStats'), POLL_MS, enabled);
  const rep = polled.data;
  return (
    <div className="card type-stats" data-testid={testId}>
      <div className="card-head">
        <h2>Per task type</h2>
        <span className="muted small">
          {rep && rep.workers > 0 && (
            <span data-testid={`${testId}-workers`}>
              {rep.workers === 1 ? '1 worker' : `${rep.workers} workers`}
              {rep.workersOmitted ? ` (${rep.workersOmitted} more left out)` : ''} ·{' '}
            </span>
          )}
          {rep && rep.windowSec > 0
            ? `rates over the last ${rep.windowSec} s`
            : 'rates appear after a few seconds'}{' '}
          · latency from handler start to ack
        </span>
      </div>
      {!rep ? (
        <p className="muted small">
          {polled.phase === 'error' ? 'Could not load the per-type figures.' : 'Loading…'}
        </p>
      ) : rep.workers === 0 ? (
        <p className="muted small" data-testid={`${testId}-no-pool`}>
          No worker is running: neither a pool in this JetDeck nor a <code>jetdeck worker</code> on the
          cluster.
        </p>
      ) : rep.types.length === 0 ? (
        <p className="muted small" data-testid={`${testId}-empty`}>
          No task has run yet.
        </p>
      ) : (
        <div className="type-stats-scroll">
          <table
            className="data-table type-stats-table"
            aria-label="Throughput, failure rate and latency per task type"
          >
            <thead>
              <tr>
                <th scope="col">Type</th>
                {COLUMNS.map((c) => (
                  <th key={c.label} scope="col" className="num">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rep.types.map((r) => (
                <Row key={r.type} r={r} testId={testId} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const count = (n: number) => n.toLocaleString('en-US');

/** The figures of a row, left to right; `id` suffixes the cell's test id. */
const COLUMNS: {
  label: string;
  cell: (r: TypeStatsRow) => string | number;
  id?: string;
  bad?: (r: TypeStatsRow) => boolean;
}[] = [
  { label: 'Tasks/s', cell: (r) => rate(r.throughput), id: 'throughput' },
  {
    label: 'Failure rate',
    cell: (r) => pct(r.failureRate),
    id: 'failure-rate',
    bad: (r) => r.failureRate !== null && r.failureRate > 0,
  },
  { label: 'p50', cell: (r) => ms(r.p50) },
  { label: 'p95', cell: (r) => ms(r.p95) },
  { label: 'p99', cell: (r) => ms(r.p99) },
  { label: 'Completed', cell: (r) => count(r.processed), id: 'completed' },
  { label: 'Failed', cell: (r) => count(r.failed), id: 'failed' },
  { label: 'Retried', cell: (r) => count(r.retried) },
  { label: 'Workers', cell: (r) => r.workers ?? '—', id: 'workers-count' },
];

function Row({ r, testId }: { r: TypeStatsRow; testId: string }) {
  return (
    <tr data-testid={`${testId}-row`} data-type={r.type}>
      <th scope="row" className="mono">
        {r.type}
      </th>
      {COLUMNS.map((c) => (
        <td
          key={c.label}
          className={`num${c.bad?.(r) ? ' tone-bad' : ''}`}
          data-testid={c.id && `${testId}-${c.id}`}
        >
          {c.cell(r)}
        </td>
      ))}
    </tr>
  );
}
