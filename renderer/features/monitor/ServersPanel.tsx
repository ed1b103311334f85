import type { HealthReason, MonitorServer, MonitorServersResult } from '../../../api/features/monitor';
import { seriesKey } from '../../../api/features/monitor';
import { api } from '../../api';
import { formatBytes, formatCount, formatDuration, secondsToMs } from '../../ui/format';
import { HealthBadge } from '../../ui/HealthBadge';
import { ErrorState, Skeleton } from '../../ui/States';
import { usePolling } from '../../ui/usePolling';
import { toEnvelope } from '../toasts/store';
import { formatByteRate, formatMaybeBytes, formatPct, formatRate } from './format';
import { useMonitor } from './store';

const POLL_MS = 5000;

/** One card per server with its live figures; a full poll every few seconds, states from samples. */
export function ServersPanel() {
  const res = usePolling(() => api.call('monitor.servers', { detail: true }), POLL_MS, true);
  if (res.phase === 'loading') return <Skeleton rows={4} />;
  const data = res.data;
  if (!data)
    return (
      <ErrorState
        title="Could not read the servers"
        message={toEnvelope(res.error).message}
        onRetry={res.retry}
        testId="monitor-servers-error"
      />
    );
  return (
    <div className="monitor-panel" data-testid="monitor-servers">
      {res.phase === 'error' && (
        <div className="banner warn" role="status">
          Refresh failed: {toEnvelope(res.error).message}. Showing the last data.
        </div>
      )}
      {data.account && <AccountUsage account={data.account} />}
      {data.servers.length === 0 ? (
        <p className="muted">No server has answered yet.</p>
      ) : (
        <div className="server-grid">
          {data.servers.map((s) => (
            <ServerCard key={s.name} s={s} />
          ))}
        </div>
      )}
    </div>
  );
}

function AccountUsage({ account }: { account: NonNullable<MonitorServersResult['account']> }) {
  const lim = (used: number, max: number, f: (n: number) => string) =>
    `${f(used)} / ${max > 0 ? f(max) : 'unlimited'}`;
  return (
    <div className="figures-row" data-testid="monitor-account">
      <Figure label="Streams" value={lim(account.streams, account.limits.streams, formatCount)} />
      <Figure label="Consumers" value={lim(account.consumers, account.limits.consumers, formatCount)} />
      <Figure label="Storage" value={lim(account.storage, account.limits.storage, formatBytes)} />
      <Figure label="Memory" value={lim(account.memory, account.limits.memory, formatBytes)} />
      <Figure
        label="JS API calls"
        value={`${formatCount(account.api.total)} · ${formatCount(account.api.errors)} errors`}
      />
    </div>
  );
}

function Figure({
  label,
  value,
  testId,
  title,
}: {
  label: string;
  value: string;
  testId?: string;
  title?: string;
}) {
  return (
    <div className="figure" title={title ?? `${label}: ${value}`}>
      <span className="mon-figure-label">{label}</span>
      <span className="mon-figure-value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

/** Server health as a badge: down or a failing healthz is CRIT. */
function serverHealth(s: MonitorServer): { status?: 'OK' | 'CRIT'; reasons: HealthReason[] } {
  const reason = (message: string): HealthReason => ({
    check: 'server',
    status: 'CRIT',
    message,
    value: 1,
    threshold: 0,
  });
  if (s.state === 'down')
    return { status: 'CRIT', reasons: [reason(`down since ${new Date(s.since).toLocaleTimeString()}`)] };
  if (s.health?.status === 'error')
    return { status: 'CRIT', reasons: [reason(s.health.error ?? 'health check failed')] };
  if (s.health?.status === 'ok') return { status: 'OK', reasons: [] };
  return { status: undefined, reasons: [] };
}

function ServerCard({ s }: { s: MonitorServer }) {
  // Live state and rates come from the latest sample; the rest from the last full poll.
  const live = useMonitor((st) => st.serverStates.find((x) => x.name === s.name));
  const values = useMonitor((st) => st.latest?.values);
  const state = live?.state ?? s.state;
  const v = (m: string) => values?.[seriesKey('server', s.name, m)];
  const meta = s.jsz?.meta;
  const isLeader = !!meta?.leader && meta.leader === s.name;
  const h = serverHealth({ ...s, state });
  const acc = s.account;
  // The account source sees only this account's traffic on each server: say so on the labels.
  const scope = acc && s.inMsgs === undefined ? ' (acct)' : '';
  return (
    <article
      className={`card server-card ${state}`}
      data-testid="server-card"
      data-server={s.name}
      data-state={state}
    >
      <div className="card-head">
        <h2 className="server-name">
          <span className={`dot ${state === 'up' ? 'ok' : 'bad'}`} />
          <span className="ellipsis" title={s.id}>
            {s.name}
          </span>
          {isLeader && (
            <span className="badge accent" title="JetStream meta leader" data-testid="meta-leader">
              ★ leader
            </span>
          )}
        </h2>
        <span className="server-badges">
          <span className={`badge ${state === 'up' ? 'ok' : 'down'}`} data-testid="server-state">
            {state}
          </span>
          {h.status && <HealthBadge status={h.status} reasons={h.reasons} testId="server-health" />}
        </span>
      </div>
      <div className="muted small">
        {[
          s.version && `v${s.version}`,
          s.cluster && `cluster ${s.cluster}`,
          s.host && (s.port ? `${s.host}:${s.port}` : s.host),
        ]
          .filter(Boolean)
          .join(' · ') || '—'}
        {state === 'down' && ` · last seen ${new Date(s.lastSeen).toLocaleTimeString()}`}
      </div>
      <div className="server-figures">
        <Figure label="CPU" value={formatPct(s.cpu)} />
        <Figure label="Memory" value={formatMaybeBytes(s.mem)} />
        <Figure
          label={acc && s.connections === undefined ? 'Conns (acct)' : 'Connections'}
          value={(s.connections ?? acc?.connections)?.toLocaleString('en-US') ?? '—'}
        />
        <Figure label="Uptime" value={formatDuration(secondsToMs(s.uptimeSec))} />
        <Figure label={`Msgs in${scope}`} value={formatRate(v('msgs_in_rate'))} testId="server-msgs-in" />
        <Figure label={`Msgs out${scope}`} value={formatRate(v('msgs_out_rate'))} />
        <Figure label={`Bytes in${scope}`} value={formatByteRate(v('bytes_in_rate'))} />
        <Figure label={`Bytes out${scope}`} value={formatByteRate(v('bytes_out_rate'))} />
        <Figure label="Slow cons." value={s.slowConsumers?.toLocaleString('en-US') ?? '—'} />
        <Figure label="Subscriptions" value={s.subscriptions?.toLocaleString('en-US') ?? '—'} />
        <Figure
          label="Rt · GW · Leaf"
          value={
            s.routes || s.gateways || s.leafs
              ? `${s.routes?.length ?? 0} · ${s.gateways?.length ?? 0} · ${s.leafs?.length ?? 0}`
              : '—'
          }
        />
        <Figure
          label="JS str · cons"
          value={s.jsz ? `${s.jsz.streams} · ${s.jsz.consumers}` : '—'}
          title={
            s.jsz
              ? `${s.jsz.messages.toLocaleString('en-US')} messages, ${formatBytes(s.jsz.storage.used)} stored`
              : undefined
          }
        />
      </div>
      {meta && meta.peers.length > 0 && (
        <div className="small meta-peers" data-testid="meta-peers">
          <span className="muted">
            Meta group{meta.cluster ? ` ${meta.cluster}` : ''}: leader {meta.leader ?? 'none'} · peers
          </span>
          {meta.peers.map((p) => (
            <span
              key={p.name}
              className={`peer ${p.offline ? 'offline' : p.current ? 'current' : 'behind'}`}
              title={p.offline ? 'offline' : p.current ? 'current' : 'not current'}
            >
              {p.name}
            </span>
          ))}
        </div>
      )}
      {s.health?.status === 'error' && <div className="error-text small">{s.health.error}</div>}
    </article>
  );
}
