import type { ServerOverview } from '../../../api/features/connections';
import { api } from '../../api';
import { ConnectionName } from '../connections/ConnectionName';
import { NotConnected } from '../connections/NotConnected';
import { formatBytes, formatCount, formatRtt } from '../../ui/format';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { ErrorState, Skeleton } from '../../ui/States';
import { useConnections } from '../connections/store';
import { HealthSummaryCard } from '../monitor/HealthSummaryCard';
import { toEnvelope } from '../toasts/store';
import { usePolling } from '../../ui/usePolling';
import { QueueCard } from './QueueCard';
import '../tasks/tasks.css';

const POLL_MS = 2500;

export function OverviewScreen() {
  const status = useConnections((s) => s.status);
  const connected = status.state === 'connected';
  const ov = usePolling(() => api.call('connections.overview'), POLL_MS, connected);

  if (!connected) {
    return (
      <section className="screen" data-testid="overview-screen">
        <ScreenHeader title="Overview" />
        <NotConnected testId="overview-not-connected" />
      </section>
    );
  }

  return (
    <section className="screen" data-testid="overview-screen">
      <ScreenHeader
        title="Overview"
        subtitle={<ConnectionName status={status} />}
        actions={
          ov.data && (
            <span className="muted small">updated {new Date(ov.data.fetchedAt).toLocaleTimeString()}</span>
          )
        }
      />
      {ov.phase === 'loading' && <Skeleton rows={6} />}
      {ov.phase === 'error' && !ov.data && (
        <ErrorState
          title="Could not load the overview"
          message={toEnvelope(ov.error).message}
          onRetry={ov.retry}
          testId="overview-error"
        />
      )}
      {ov.phase === 'error' && ov.data && (
        <div className="banner warn" role="status">
          Refresh failed: {toEnvelope(ov.error).message}. Showing the last data.
        </div>
      )}
      {ov.data && <OverviewBody ov={ov.data} />}
    </section>
  );
}

function OverviewBody({ ov }: { ov: ServerOverview }) {
  const s = ov.server;
  return (
    <div className="grid">
      <QueueCard />
      <section className="card" data-testid="overview-server">
        <h2>Server</h2>
        <dl className="kv">
          <dt>Name</dt>
          <dd data-testid="overview-server-name">{s.name || '—'}</dd>
          <dt>Version</dt>
          <dd data-testid="overview-server-version">{s.version}</dd>
          <dt>ID</dt>
          <dd className="mono ellipsis" title={s.id}>
            {s.id}
          </dd>
          <dt>Connected URL</dt>
          <dd className="mono">{ov.connectedUrl}</dd>
          <dt>RTT</dt>
          <dd data-testid="overview-rtt">{formatRtt(ov.rttMs)}</dd>
          <dt>Max payload</dt>
          <dd>{formatBytes(s.maxPayload)}</dd>
          <dt>TLS required</dt>
          <dd>{s.tlsRequired ? 'yes' : 'no'}</dd>
          <dt>Client</dt>
          <dd>
            id {s.clientId}
            {s.clientIp ? ` · ${s.clientIp}` : ''}
          </dd>
        </dl>
      </section>

      <section className="card" data-testid="overview-cluster">
        <h2>Cluster</h2>
        {s.cluster ? (
          <dl className="kv">
            <dt>Name</dt>
            <dd data-testid="overview-cluster-name">{s.cluster}</dd>
            <dt>Peers</dt>
            <dd>
              {ov.clusterPeers.length ? (
                <ul className="plain mono">
                  {ov.clusterPeers.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              ) : (
                <span className="muted">none advertised</span>
              )}
            </dd>
          </dl>
        ) : (
          <p className="muted">Standalone server (not part of a cluster).</p>
        )}
      </section>

      <section className="card span2" data-testid="overview-jetstream">
        <h2>
          JetStream{' '}
          <span className={`badge ${ov.jetstream ? 'ok' : ''}`} data-testid="overview-jetstream-enabled">
            {ov.jetstream ? 'enabled' : 'not available'}
          </span>
        </h2>
        {ov.jetstream ? (
          <>
            <dl className="kv">
              <dt>Domain</dt>
              <dd>{ov.jetstream.domain || <span className="muted">none</span>}</dd>
              <dt>API calls</dt>
              <dd>
                <ApiCalls api={ov.jetstream.api} />
              </dd>
            </dl>
            <div className="usage">
              <UsageBar
                label="Memory"
                used={ov.jetstream.usage.memory}
                limit={ov.jetstream.limits.memory}
                format={formatBytes}
              />
              <UsageBar
                label="Storage"
                used={ov.jetstream.usage.storage}
                limit={ov.jetstream.limits.storage}
                format={formatBytes}
              />
              <UsageBar
                label="Streams"
                used={ov.jetstream.usage.streams}
                limit={ov.jetstream.limits.streams}
                format={formatCount}
              />
              <UsageBar
                label="Consumers"
                used={ov.jetstream.usage.consumers}
                limit={ov.jetstream.limits.consumers}
                format={formatCount}
              />
            </div>
          </>
        ) : (
          <p className="muted">{ov.jetstreamError ?? 'JetStream is not enabled for this account.'}</p>
        )}
      </section>
      <HealthSummaryCard />
    </div>
  );
}

/** Usage against an account limit; -1 (or 0 for some servers) means unlimited. */
function UsageBar({
  label,
  used,
  limit,
  format,
}: {
  label: string;
  used: number;
  limit: number;
  format: (n: number) => string;
}) {
  const unlimited = limit < 0;
  const pct = unlimited || limit === 0 ? 0 : Math.min(100, (used / limit) * 100);
  const tone = pct >= 90 ? 'bad' : pct >= 75 ? 'warn' : 'ok';
  return (
    <div className="usage-row" data-testid={`usage-${label.toLowerCase()}`}>
      <div className="usage-label">
        <span>{label}</span>
        <span className="muted">
          {format(used)} / {unlimited ? 'unlimited' : format(limit)}
          {!unlimited && limit > 0 && ` (${pct.toFixed(pct < 1 && pct > 0 ? 1 : 0)}%)`}
        </span>
      </div>
      <div
        className={`bar${unlimited ? ' unlimited' : ''}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct)}
      >
        {!unlimited && (
          <div className={`bar-fill ${tone}`} style={{ width: `${Math.max(pct, used > 0 ? 0.5 : 0)}%` }} />
        )}
      </div>
    </div>
  );
}

/** Errors since JetDeck set up its queue: its own "does TASKS exist yet?" checks are not the user's errors. */
function ApiCalls({ api }: { api: { total: number; errors: number; errorsAtSetup?: number } }) {
  if (api.errorsAtSetup === undefined)
    return (
      <span data-testid="overview-api-calls">{formatCount(api.total)} total · JetDeck is setting up</span>
    );
  const base = api.errorsAtSetup;
  const since = Math.max(0, api.errors - base);
  return (
    <span
      data-testid="overview-api-calls"
      title={`The server counts ${formatCount(api.errors)} errors on this account in all; ${formatCount(base)} came before JetDeck finished setting up (its checks for a stream or consumer not created yet count as errors).`}
    >
      {formatCount(api.total)} total · {since === 0 ? 'no errors' : `${formatCount(since)} errors`} since
      JetDeck connected
    </span>
  );
}
