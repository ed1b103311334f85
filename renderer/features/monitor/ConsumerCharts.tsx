import { useState } from 'react';
import { seriesKey } from '../../../api/features/monitor';
import { HealthBadge } from '../../ui/HealthBadge';
import { TimeChart } from '../../ui/TimeChart';
import { formatRate } from './format';
import { useHealthFor } from './health-store';
import { idsOf, lastValue } from './series';
import { formatDuration, secondsToMs } from '../../ui/format';

const SHOWN = 4;
const MAX_SHOWN = 24;

/** One small chart per consumer (busiest first): pending, ack pending, redelivered, time to drain. */
export function ConsumerCharts({ t, series }: { t: number[]; series: Record<string, (number | null)[]> }) {
  const [q, setQ] = useState('');
  const [more, setMore] = useState(false);
  const all = idsOf(series, 'consumer');
  if (!all.length) return null;
  const backlog = (id: string) =>
    (lastValue(series[seriesKey('consumer', id, 'pending')]) ?? 0) +
    (lastValue(series[seriesKey('consumer', id, 'ack_pending')]) ?? 0);
  const needle = q.trim().toLowerCase();
  const matching = all
    .filter((id) => !needle || id.toLowerCase().includes(needle))
    .sort((a, b) => backlog(b) - backlog(a) || a.localeCompare(b));
  const shown = matching.slice(0, more ? MAX_SHOWN : SHOWN);
  return (
    <section className="consumer-charts" data-testid="consumer-charts">
      <div className="card-head">
        <h2>Consumers</h2>
        <span className="muted small">
          {shown.length} of {matching.length} shown, biggest backlog first
        </span>
        <span className="spacer" />
        <input
          type="search"
          className="consumer-search"
          placeholder="Filter stream/consumer…"
          aria-label="Filter consumers"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </div>
      <div className="chart-grid">
        {shown.map((id) => (
          <ConsumerChart key={id} id={id} t={t} series={series} />
        ))}
      </div>
      {matching.length > SHOWN && (
        <button className="btn small ghost" onClick={() => setMore(!more)}>
          {more ? 'Show fewer' : `Show up to ${Math.min(MAX_SHOWN, matching.length)}`}
        </button>
      )}
    </section>
  );
}

function ConsumerChart({
  id,
  t,
  series,
}: {
  id: string;
  t: number[];
  series: Record<string, (number | null)[]>;
}) {
  const col = (m: string) =>
    series[seriesKey('consumer', id, m)] ?? new Array<number | null>(t.length).fill(null);
  const health = useHealthFor('consumer', id);
  const ttd = lastValue(col('ttd_sec'));
  const slash = id.indexOf('/');
  return (
    <section className="card chart-card" data-testid="consumer-chart" data-consumer={id}>
      <div className="card-head">
        <h2 className="ellipsis" title={id}>
          <span className="muted">{id.slice(0, slash)} ›</span> {id.slice(slash + 1)}
        </h2>
        <span className="consumer-chart-meta small">
          <span
            title="Time to drain the backlog (pending + ack pending) at the slope of the last 30 s"
            data-testid="consumer-ttd"
          >
            {ttd === undefined
              ? 'not draining'
              : ttd === 0
                ? 'drained'
                : `drains in ≈ ${formatDuration(secondsToMs(ttd))}`}
          </span>
          <span className="muted" title="Deliveries per second">
            {formatRate(lastValue(col('delivered_rate')))}
          </span>
          <HealthBadge entry={health} testId="consumer-health" />
        </span>
      </div>
      <TimeChart
        x={t}
        height={130}
        series={[
          { label: 'pending', values: col('pending'), color: '--accent' },
          { label: 'ack pending', values: col('ack_pending'), color: '--warn' },
          { label: 'redelivered', values: col('redelivered'), color: '--bad' },
        ]}
        testId="chart-consumer"
      />
    </section>
  );
}
