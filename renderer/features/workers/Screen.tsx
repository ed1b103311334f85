import { NotConnected } from '../connections/NotConnected';
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { EmptyState, ErrorState } from '../../ui/States';
import { TimeChart } from '../../ui/TimeChart';
import { useConnections } from '../connections/store';
import { toEnvelope } from '../toasts/store';
import { FleetPanel } from './FleetPanel';
import { TypeStatsTable } from './TypeStatsTable';
import { RunningControls, StartForm } from './PoolControls';
import { POOL_HISTORY_MS, useWorkers, type PoolPoint } from './store';
import { WorkerCard } from './WorkerCard';
import '../tasks/tasks.css';
import './workers.css';
import { Figure } from '../../ui/Figure';

export function WorkersScreen() {
  const connected = useConnections((s) => s.status.state === 'connected');
  const pool = useWorkers((s) => s.pool);
  const history = useWorkers((s) => s.history);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    api.call('workers.status').then(
      (p) => {
        useWorkers.getState().setPool(p);
        setError(undefined);
      },
      (err: unknown) => setError(err),
    );
  }, [connected]);

  // The chart shows the last 10 minutes from the monitor's persisted samples, not from when the page opened.
  useEffect(() => {
    if (!connected) return;
    const keys = ['pool:pool:throughput', 'pool:pool:p95_ms', 'pool:pool:in_flight'];
    api.call('monitor.history', { range: '1h', series: keys }).then(
      (h) => {
        const [tp, p95, inflight] = keys.map((k) => h.series[k] ?? []);
        const points: PoolPoint[] = h.t.map((at, i) => ({
          at,
          throughput: tp[i] ?? 0,
          p95: (tp[i] ?? 0) > 0 || (inflight[i] ?? 0) > 0 ? (p95[i] ?? null) : null,
          inFlight: inflight[i] ?? 0,
        }));
        useWorkers.getState().seedHistory(points);
      },
      () => {
        // No history (monitor off for this connection): the chart fills from live stats.
      },
    );
  }, [connected]);
  const now = useWorkers((s) => s.receivedAt);

  const stopped = !pool || pool.state === 'stopped';
  return (
    <section className="screen workers-screen" data-testid="workers-screen">
      <ScreenHeader
        title="Workers"
        subtitle="This app's worker pool, and every JetDeck worker on the cluster (discovered as NATS services)."
      />
      {error !== undefined && !pool && (
        <ErrorState
          title="Could not read the worker pool"
          message={toEnvelope(error).message}
          testId="workers-error"
        />
      )}
      {pool?.error && (
        <div className="banner error" role="alert" data-testid="pool-error">
          <div className="banner-main">{pool.error}</div>
        </div>
      )}
      {pool && pool.warnings.length > 0 && (
        <div className="banner warn" data-testid="pool-warnings">
          <ul className="banner-main">
            {pool.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      {!connected && stopped ? (
        <NotConnected testId="workers-not-connected">
          The pool's threads connect to the active connection: connect first.
        </NotConnected>
      ) : stopped ? (
        <>
          <EmptyState title="No workers running — start a pool" testId="workers-empty">
            {pool?.stopReason && (
              <p data-testid="pool-stop-reason">
                The pool stopped: <strong>{pool.stopReason}</strong>.
              </p>
            )}
            <p>
              Workers on other machines run with <code className="nowrap">jetdeck worker --nats URL</code>;
              they share the same consumers and show in the fleet below.
            </p>
          </EmptyState>
          <StartForm pool={pool} />
        </>
      ) : (
        <>
          {pool.servers && (
            <p className="muted small pool-follows" data-testid="pool-follows">
              The pool keeps its own connection to <code>{pool.servers.join(', ')}</code>
              {pool.profile ? ` (profile “${pool.profile}”)` : ''}: switching profile or disconnecting the app
              leaves it running; stop it here.
            </p>
          )}
          <RunningControls pool={pool} />
          <div className="pool-totals" data-testid="pool-totals">
            <Total label="Processed" value={pool.totals.processed} testId="pool-processed" />
            <Total
              label="Failed"
              value={pool.totals.failed}
              testId="pool-failed"
              tone={pool.totals.failed ? 'bad' : undefined}
            />
            <Total label="Retried" value={pool.totals.retried} testId="pool-retried" />
            <Total label="In flight" value={pool.totals.inFlight} testId="pool-inflight" />
            <Total label="Throughput /s" value={pool.totals.throughput} testId="pool-throughput" />
          </div>
          <FleetPanel connected={connected} />
          <div className="card">
            <div className="card-head">
              <h2>Throughput and latency</h2>
              <span className="muted small">
                last 10 minutes · p95 of the slowest worker, shown while tasks run
              </span>
            </div>
            <TimeChart
              x={history.map((h) => h.at)}
              series={[
                {
                  label: 'throughput',
                  unit: '/s',
                  values: history.map((h) => h.throughput),
                  color: '--accent',
                },
                { label: 'p95', unit: 'ms', values: history.map((h) => h.p95), color: '--warn' },
              ]}
              height={170}
              xRange={[now - POOL_HISTORY_MS, now]}
              testId="pool-chart"
            />
          </div>
          <TypeStatsTable enabled={connected} />
          <div className="worker-grid" data-testid="worker-cards">
            {pool.workers.map((w) => (
              <WorkerCard key={w.id} w={w} />
            ))}
          </div>
        </>
      )}
      {connected && stopped && <FleetPanel connected={connected} />}
    </section>
  );
}

/** A pool total, as the other headline figures show theirs. */
function Total({ value, ...rest }: { label: string; value: number; testId: string; tone?: string }) {
  return <Figure {...rest} value={value.toLocaleString('en-US', { maximumFractionDigits: 1 })} />;
}
