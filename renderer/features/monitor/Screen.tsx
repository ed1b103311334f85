import { NotConnected } from '../connections/NotConnected';
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { HealthBadge } from '../../ui/HealthBadge';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { ErrorState, Skeleton } from '../../ui/States';
import { useConnections } from '../connections/store';
import { toEnvelope } from '../toasts/store';
import { AdvisoriesPanel } from './AdvisoriesPanel';
import { ChartsPanel } from './ChartsPanel';
import { ConnzPanel } from './ConnzPanel';
import { HealthPanel } from './HealthPanel';
import { refreshHealth, useHealth } from './health-store';
import './notifications';
import { ServersPanel } from './ServersPanel';
import { SourceBanner } from './SourceBanner';
import { loadAdvisories, loadHistory, useMonitor, type MonitorTab } from './store';
import '../../ui/data-views.css';
import './monitor.css';
import { ConnectionName } from '../connections/ConnectionName';

const TABS: { id: MonitorTab; label: string }[] = [
  { id: 'servers', label: 'Servers' },
  { id: 'charts', label: 'Charts' },
  { id: 'connections', label: 'Connections' },
  { id: 'advisories', label: 'Advisories' },
  { id: 'health', label: 'Health' },
];

export function MonitorScreen() {
  const status = useConnections((s) => s.status);
  const connected = status.state === 'connected';
  const tab = useMonitor((s) => s.tab);
  const source = useMonitor((s) => s.source);
  const [error, setError] = useState<unknown>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!connected) return;
    let stale = false;
    setError(undefined);
    Promise.all([api.call('monitor.sources'), api.call('monitor.config.get')]).then(
      ([src, config]) => {
        if (!stale) useMonitor.setState({ source: src, config });
      },
      (err: unknown) => {
        if (!stale) setError(err);
      },
    );
    void loadHistory(useMonitor.getState().range);
    void loadAdvisories().catch(() => undefined);
    void refreshHealth();
    return () => {
      stale = true;
    };
  }, [connected, status.profileId, attempt]);

  if (!connected) {
    return (
      <section className="screen monitor-screen" data-testid="monitor-screen">
        <ScreenHeader title="Monitor" />
        <NotConnected testId="monitor-not-connected">
          The monitor samples the active connection's servers, streams and consumers.
        </NotConnected>
      </section>
    );
  }

  return (
    <section className="screen monitor-screen" data-testid="monitor-screen" data-tab={tab}>
      <ScreenHeader
        title="Monitor"
        subtitle={<ConnectionName status={status} />}
        actions={<LiveIndicator />}
      />
      {error !== undefined && !source ? (
        <ErrorState
          title="Could not start the monitor"
          message={toEnvelope(error).message}
          onRetry={() => setAttempt((a) => a + 1)}
          testId="monitor-error"
        />
      ) : !source ? (
        <Skeleton rows={5} />
      ) : (
        <>
          <SourceBanner source={source} />
          <Tabs />
          {tab === 'servers' && <ServersPanel />}
          {tab === 'charts' && <ChartsPanel />}
          {tab === 'connections' && <ConnzPanel />}
          {tab === 'advisories' && <AdvisoriesPanel />}
          {tab === 'health' && <HealthPanel />}
        </>
      )}
    </section>
  );
}

function Tabs() {
  const tab = useMonitor((s) => s.tab);
  const overall = useHealth((s) => s.overall);
  const healthLoaded = useHealth((s) => s.loaded);
  const advisories = useMonitor((s) => s.advisories.length);
  return (
    <div className="segmented monitor-tabs" role="tablist" aria-label="Monitor views">
      {TABS.map((t) => (
        <button
          key={t.id}
          role="tab"
          aria-selected={tab === t.id}
          className={tab === t.id ? 'on' : ''}
          onClick={() => useMonitor.setState({ tab: t.id })}
          data-testid={`monitor-tab-${t.id}`}
        >
          {t.label}
          {t.id === 'advisories' && advisories > 0 && <span className="tab-count">{advisories}</span>}
          {t.id === 'health' && healthLoaded && (
            <HealthBadge status={overall} testId="monitor-overall-health" />
          )}
        </button>
      ))}
    </div>
  );
}

/** A pulsing dot while samples arrive, with the sampler's interval and cost. */
function LiveIndicator() {
  const latest = useMonitor((s) => s.latest);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (!latest) return <span className="muted small">waiting for the first sample…</span>;
  const stale = now - latest.t > Math.max(5000, latest.intervalMs * 3);
  return (
    <span
      className="muted small live-indicator"
      data-testid="monitor-live"
      data-stale={stale}
      title="Sampled in the backend"
    >
      <span className={`dot ${stale ? 'warn' : 'ok pulse'}`} />
      {stale ? 'no sample for a while' : 'live'} · every {latest.intervalMs / 1000}s · sample{' '}
      {latest.sampleMs.toFixed(0)} ms
    </span>
  );
}
