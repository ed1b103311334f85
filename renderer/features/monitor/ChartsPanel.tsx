import { useEffect, useState, type ReactNode } from 'react';
import { HISTORY_RANGES, seriesKey, type HistoryRange } from '../../../api/features/monitor';
import { ErrorState, Skeleton } from '../../ui/States';
import { TimeChart, type TimeSeries } from '../../ui/TimeChart';
import { toEnvelope } from '../toasts/store';
import { ConsumerCharts } from './ConsumerCharts';
import { TypeStatsTable } from '../workers/TypeStatsTable';
import { formatByteRate, formatRate } from './format';
import { idsOf, lastValue, lineColor, scaled, summed } from './series';
import { loadHistory, useMonitor } from './store';
import { Segmented } from '../../ui/Segmented';

const RANGE_LABEL: Record<HistoryRange, string> = { '5m': '5 min', '1h': '1 hour', '24h': '24 hours' };
const MINUTE_REFRESH_MS = 60_000;
const TOP_STREAMS = 6;
const MIB = 1024 * 1024;

/**
 * Picks KiB or MiB for a byte column. Axis labels use the one-letter unit (the chart's axis is
 * narrow); the card note names the full unit.
 */
function byteUnit(cols: ((number | null)[] | undefined)[]): { unit: string; name: string; by: number } {
  let max = 0;
  for (const c of cols) for (const v of c ?? []) if (v !== null && v > max) max = v;
  return max >= MIB ? { unit: 'M', name: 'MiB', by: MIB } : { unit: 'K', name: 'KiB', by: 1024 };
}

/** Thousands per second once rates pass 1000, so axis labels stay short. */
function rateUnit(cols: ((number | null)[] | undefined)[]): { unit: string; by: number } {
  let max = 0;
  for (const c of cols) for (const v of c ?? []) if (v !== null && v > max) max = v;
  return max >= 1000 ? { unit: 'k/s', by: 1000 } : { unit: '/s', by: 1 };
}

export function RangeSelector() {
  const range = useMonitor((s) => s.range);
  return (
    <Segmented
      ariaLabel="History range"
      options={HISTORY_RANGES}
      value={range}
      onChange={(r) => void loadHistory(r)}
      label={(r) => RANGE_LABEL[r]}
      testId={(r) => `range-${r}`}
    />
  );
}

/** Every chart of the selected range, appended live from 'monitor.sample'. */
export function ChartsPanel() {
  const range = useMonitor((s) => s.range);
  const phase = useMonitor((s) => s.historyPhase);
  const error = useMonitor((s) => s.historyError);
  const t = useMonitor((s) => s.t);
  const series = useMonitor((s) => s.series);
  const version = useMonitor((s) => s.version);

  // 24 h are minute averages, re-read each minute rather than appended.
  useEffect(() => {
    if (range !== '24h') return;
    const timer = setInterval(() => void loadHistory('24h'), MINUTE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [range]);

  const head = (
    <div className="charts-toolbar">
      <RangeSelector />
      <span className="muted small" data-testid="chart-points" data-points={t.length} data-version={version}>
        {t.length.toLocaleString('en-US')} points
        {range === '24h' ? ' · 1-minute averages, refreshed each minute' : ' · live'}
      </span>
    </div>
  );
  if (phase === 'loading' && t.length === 0)
    return (
      <div className="monitor-panel">
        {head}
        <Skeleton rows={6} />
      </div>
    );
  if (phase === 'error')
    return (
      <div className="monitor-panel">
        {head}
        <ErrorState
          title="Could not read the history"
          message={toEnvelope(error).message}
          onRetry={() => void loadHistory(range)}
          testId="monitor-history-error"
        />
      </div>
    );

  return (
    <div className="monitor-panel" data-testid="monitor-charts">
      {head}
      <TrafficCharts t={t} series={series} />
      <ServerResourceCharts t={t} series={series} />
      <StreamCharts t={t} series={series} />
      <ConsumerCharts t={t} series={series} />
      <PoolCharts t={t} series={series} />
    </div>
  );
}

interface ChartData {
  t: number[];
  series: Record<string, (number | null)[]>;
}

function ChartCard({
  title,
  note,
  children,
  testId,
}: {
  title: string;
  note?: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section className="card chart-card" data-testid={testId}>
      <div className="card-head">
        <h2>{title}</h2>
        {note && <span className="muted small">{note}</span>}
      </div>
      {children}
    </section>
  );
}

function TrafficCharts({ t, series }: ChartData) {
  const servers = idsOf(series, 'server');
  const keys = (m: string) => servers.map((s) => seriesKey('server', s, m));
  const msgsIn = summed(series, keys('msgs_in_rate'), t.length);
  const msgsOut = summed(series, keys('msgs_out_rate'), t.length);
  const bytesIn = summed(series, keys('bytes_in_rate'), t.length);
  const bytesOut = summed(series, keys('bytes_out_rate'), t.length);
  const bu = byteUnit([bytesIn, bytesOut]);
  const ru = rateUnit([msgsIn, msgsOut]);
  const latestIn = lastValue(msgsIn);
  const note = servers.length > 1 ? `sum over ${servers.length} servers` : undefined;
  return (
    <>
      <div className="figures-row" data-testid="monitor-latest">
        <LiveFigure
          label="Msgs in"
          value={formatRate(latestIn)}
          raw={latestIn}
          testId="monitor-latest-msgs-in"
        />
        <LiveFigure label="Msgs out" value={formatRate(lastValue(msgsOut))} raw={lastValue(msgsOut)} />
        <LiveFigure label="Bytes in" value={formatByteRate(lastValue(bytesIn))} raw={lastValue(bytesIn)} />
        <LiveFigure label="Bytes out" value={formatByteRate(lastValue(bytesOut))} raw={lastValue(bytesOut)} />
      </div>
      <div className="chart-grid">
        <ChartCard title="Messages per second" note={note} testId="chart-card-msgs">
          <TimeChart
            x={t}
            series={[
              { label: 'in', unit: ru.unit, values: scaled(msgsIn, ru.by, t.length), color: lineColor(0) },
              { label: 'out', unit: ru.unit, values: scaled(msgsOut, ru.by, t.length), color: lineColor(1) },
            ]}
            testId="chart-msgs"
          />
        </ChartCard>
        <ChartCard
          title="Bytes per second"
          note={[`${bu.name}/s`, note].filter(Boolean).join(' · ')}
          testId="chart-card-bytes"
        >
          <TimeChart
            x={t}
            series={[
              { label: 'in', unit: bu.unit, values: scaled(bytesIn, bu.by, t.length), color: lineColor(0) },
              { label: 'out', unit: bu.unit, values: scaled(bytesOut, bu.by, t.length), color: lineColor(1) },
            ]}
            testId="chart-bytes"
          />
        </ChartCard>
      </div>
    </>
  );
}

function LiveFigure({
  label,
  value,
  raw,
  testId,
}: {
  label: string;
  value: string;
  raw?: number;
  testId?: string;
}) {
  return (
    <div className="figure">
      <span className="mon-figure-label">{label}</span>
      <span
        className="mon-figure-value"
        data-testid={testId}
        data-value={raw === undefined ? '' : raw.toFixed(3)}
      >
        {value}
      </span>
    </div>
  );
}

function ServerResourceCharts({ t, series }: ChartData) {
  const servers = idsOf(series, 'server');
  const cpu = servers.filter((s) => series[seriesKey('server', s, 'cpu')]);
  const mem = servers.filter((s) => series[seriesKey('server', s, 'mem')]);
  if (!cpu.length && !mem.length)
    return (
      <p className="muted small chart-missing" data-testid="chart-cpu-missing">
        CPU and memory per server need system-account credentials or an HTTP monitoring URL (see the source
        above).
      </p>
    );
  const memCols = mem.map((s) => series[seriesKey('server', s, 'mem')]);
  const bu = byteUnit(memCols);
  return (
    <div className="chart-grid">
      <ChartCard title="CPU per server" note="% of one core" testId="chart-card-cpu">
        <TimeChart
          x={t}
          series={cpu.map((s, i): TimeSeries => ({
            label: s,
            unit: '%',
            values: series[seriesKey('server', s, 'cpu')],
            color: lineColor(i),
          }))}
          testId="chart-cpu"
        />
      </ChartCard>
      <ChartCard title="Memory per server" note={`resident, ${bu.name}`} testId="chart-card-mem">
        <TimeChart
          x={t}
          series={mem.map((s, i): TimeSeries => ({
            label: s,
            unit: bu.unit,
            values: scaled(memCols[i], bu.by, t.length),
            color: lineColor(i),
          }))}
          testId="chart-mem"
        />
      </ChartCard>
    </div>
  );
}

function StreamCharts({ t, series }: ChartData) {
  const [top, setTop] = useState(TOP_STREAMS);
  const all = idsOf(series, 'stream');
  const ranked = all
    .map((s) => ({ s, n: lastValue(series[seriesKey('stream', s, 'messages')]) ?? 0 }))
    .sort((a, b) => b.n - a.n)
    .slice(0, top)
    .map((x) => x.s);
  if (!all.length) return null;
  const bytes = ranked.map((s) => series[seriesKey('stream', s, 'bytes')]);
  const bu = byteUnit(bytes);
  const note = all.length > ranked.length ? `top ${ranked.length} of ${all.length} by messages` : undefined;
  return (
    <div className="chart-grid">
      <ChartCard title="Stream messages" note={note} testId="chart-card-stream-msgs">
        <TimeChart
          x={t}
          series={ranked.map((s, i) => ({
            label: s,
            values:
              series[seriesKey('stream', s, 'messages')] ?? new Array<number | null>(t.length).fill(null),
            color: lineColor(i),
          }))}
          testId="chart-stream-msgs"
        />
      </ChartCard>
      <ChartCard
        title="Stream bytes"
        note={[bu.name, note].filter(Boolean).join(' · ')}
        testId="chart-card-stream-bytes"
      >
        <TimeChart
          x={t}
          series={ranked.map((s, i) => ({
            label: s,
            unit: bu.unit,
            values: scaled(bytes[i], bu.by, t.length),
            color: lineColor(i),
          }))}
          testId="chart-stream-bytes"
        />
        {all.length > TOP_STREAMS && (
          <label className="small muted inline-select">
            Show top{' '}
            <select value={top} onChange={(e) => setTop(Number(e.target.value))}>
              {[3, 6, 10].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        )}
      </ChartCard>
    </div>
  );
}

function PoolCharts({ t, series }: ChartData) {
  const k = (m: string) => seriesKey('pool', 'pool', m);
  if (!series[k('in_flight')] && !series[k('throughput')])
    return (
      <p className="muted small chart-missing" data-testid="chart-pool-missing">
        No worker pool in this JetDeck process yet: start one on the Workers screen to chart its throughput
        and latency.
      </p>
    );
  const col = (m: string) => series[k(m)] ?? new Array<number | null>(t.length).fill(null);
  return (
    <div className="chart-grid">
      <ChartCard title="Worker pool throughput" note="tasks per second" testId="chart-card-pool">
        <TimeChart
          x={t}
          series={[
            { label: 'processed', unit: '/s', values: col('throughput'), color: '--ok' },
            { label: 'failed', unit: '/s', values: col('failed_rate'), color: '--bad' },
            { label: 'in flight', unit: 'tasks', values: col('in_flight'), color: '--accent' },
          ]}
          testId="chart-pool"
        />
      </ChartCard>
      <ChartCard title="Handler latency" note="percentiles per sample" testId="chart-card-latency">
        <TimeChart
          x={t}
          series={[
            { label: 'p50', unit: 'ms', values: col('p50_ms'), color: '--ok' },
            { label: 'p95', unit: 'ms', values: col('p95_ms'), color: '--warn' },
            { label: 'p99', unit: 'ms', values: col('p99_ms'), color: '--bad' },
          ]}
          testId="chart-latency"
        />
      </ChartCard>
      <div className="chart-wide">
        <TypeStatsTable enabled testId="monitor-type-stats" />
      </div>
    </div>
  );
}
