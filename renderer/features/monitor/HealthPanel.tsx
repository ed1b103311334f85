import { useMemo, useState } from 'react';
import type {
  HealthEntry,
  HealthStatus,
  MonitorConfig,
  NotificationLevel,
} from '../../../api/features/monitor';
import { api } from '../../api';
import { HealthBadge } from '../../ui/HealthBadge';
import { Skeleton } from '../../ui/States';
import { toastError } from '../toasts/store';
import { useHealth } from './health-store';
import { requestBrowserNotifications, useNotificationPermission } from './notifications';
import { useMonitor } from './store';
import { ThresholdsEditor } from './ThresholdsEditor';
import { formatAgo } from '../../ui/format';

const RANK: Record<HealthStatus, number> = { CRIT: 0, WARN: 1, OK: 2 };
const INTERVALS_MS = [500, 1000, 2000, 5000, 10_000, 30_000, 60_000];
const NOTIFY: { id: NotificationLevel; label: string }[] = [
  { id: 'off', label: 'Off' },
  { id: 'crit', label: 'CRIT only' },
  { id: 'warn+', label: 'WARN and CRIT' },
];

/** Health of every stream and consumer, the thresholds behind it, notifications and sampling. */
export function HealthPanel() {
  const config = useMonitor((s) => s.config);
  const [overrideKey, setOverrideKey] = useState<string>();
  if (!config) return <Skeleton rows={4} />;
  return (
    <div className="monitor-panel" data-testid="monitor-health">
      <HealthTable onOverride={setOverrideKey} />
      <Settings config={config} />
      <ThresholdsEditor
        // Remount on an external config change so the form shows what is saved.
        key={JSON.stringify(config.thresholds)}
        config={config}
        overrideKey={overrideKey}
        onOverrideDone={() => setOverrideKey(undefined)}
      />
    </div>
  );
}

function HealthTable({ onOverride }: { onOverride: (key: string) => void }) {
  const entries = useHealth((s) => s.entries);
  const loaded = useHealth((s) => s.loaded);
  const overrides = useMonitor((s) => s.config?.thresholds.overrides);
  const [problemsOnly, setProblemsOnly] = useState(false);
  const rows = useMemo(
    () =>
      Object.values(entries)
        .filter((e) => !problemsOnly || e.status !== 'OK')
        .sort((a, b) => RANK[a.status] - RANK[b.status] || a.key.localeCompare(b.key)),
    [entries, problemsOnly],
  );
  const total = Object.keys(entries).length;
  const bad = Object.values(entries).filter((e) => e.status !== 'OK').length;
  return (
    <section className="card" data-testid="health-table">
      <div className="card-head">
        <h2>Health checks</h2>
        <span className="muted small" data-testid="health-summary">
          {total} objects · {bad} not OK
        </span>
        <span className="spacer" />
        <label className="check small">
          <input type="checkbox" checked={problemsOnly} onChange={(e) => setProblemsOnly(e.target.checked)} />
          Only WARN / CRIT
        </label>
      </div>
      {!loaded ? (
        <Skeleton rows={3} />
      ) : rows.length === 0 ? (
        <p className="muted">
          {total ? 'Everything is OK.' : 'No streams or consumers sampled yet. Checks run on every sample.'}
        </p>
      ) : (
        <div className="health-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th>Status</th>
                <th>Kind</th>
                <th>Name</th>
                <th>Reasons</th>
                <th>Since</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <HealthRow key={e.key} e={e} overridden={!!overrides?.[e.key]} onOverride={onOverride} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function HealthRow({
  e,
  overridden,
  onOverride,
}: {
  e: HealthEntry;
  overridden: boolean;
  onOverride: (key: string) => void;
}) {
  const failing = e.reasons.filter((r) => r.status !== 'OK');
  return (
    <tr data-testid="health-row" data-key={e.key} data-status={e.status}>
      <td>
        <HealthBadge entry={e} />
      </td>
      <td className="muted">{e.kind}</td>
      <td className="mono">{e.consumer ? `${e.stream} › ${e.consumer}` : e.stream}</td>
      <td>
        {failing.length ? (
          <ul className="plain small">
            {failing.map((r) => (
              <li key={r.check} className={r.status === 'CRIT' ? 'tone-bad' : 'tone-warn'}>
                {r.message}
              </li>
            ))}
          </ul>
        ) : (
          <span className="muted small">all checks pass</span>
        )}
      </td>
      <td className="muted small">{e.since ? formatAgo(e.since) : '—'}</td>
      <td>
        <button className="btn small ghost" onClick={() => onOverride(e.key)} data-testid="health-override">
          {overridden ? 'Edit override' : 'Override…'}
        </button>
      </td>
    </tr>
  );
}

function Settings({ config }: { config: MonitorConfig }) {
  const permission = useNotificationPermission((s) => s.state);
  const save = async (patch: { intervalMs?: number; notifications?: NotificationLevel }) => {
    try {
      useMonitor.setState({ config: await api.call('monitor.config.set', patch) });
    } catch (err) {
      toastError('Could not save the monitor settings', err);
    }
  };
  const pickNotify = (level: NotificationLevel) => {
    // The click is the user gesture browsers require before asking for permission.
    if (level !== 'off' && permission === 'default') void requestBrowserNotifications();
    void save({ notifications: level });
  };
  return (
    <section className="card" data-testid="monitor-settings">
      <div className="card-head">
        <h2>Sampling and notifications</h2>
      </div>
      <div className="settings-row">
        <div className="field">
          <label htmlFor="monitor-interval">Sampling interval</label>
          <select
            id="monitor-interval"
            value={config.intervalMs}
            onChange={(e) => void save({ intervalMs: Number(e.target.value) })}
            data-testid="monitor-interval"
          >
            {[...new Set([...INTERVALS_MS, config.intervalMs])]
              .sort((a, b) => a - b)
              .map((ms) => (
                <option key={ms} value={ms}>
                  every {ms < 1000 ? `${ms} ms` : `${ms / 1000} s`}
                </option>
              ))}
          </select>
          <span className="field-hint">
            History keeps an hour at this resolution and 24 h of minute averages.
          </span>
        </div>
        <div className="field">
          <label id="notify-label">Notify when a check gets worse</label>
          <div className="segmented" role="group" aria-labelledby="notify-label">
            {NOTIFY.map((n) => (
              <button
                key={n.id}
                className={config.notifications === n.id ? 'on' : ''}
                aria-pressed={config.notifications === n.id}
                onClick={() => pickNotify(n.id)}
                data-testid={`notify-${n.id}`}
              >
                {n.label}
              </button>
            ))}
          </div>
          <span className="field-hint" data-testid="notify-permission" data-permission={permission}>
            <PermissionHint permission={permission} />
          </span>
        </div>
      </div>
    </section>
  );
}

function PermissionHint({
  permission,
}: {
  permission: ReturnType<typeof useNotificationPermission.getState>['state'];
}) {
  switch (permission) {
    case 'desktop':
      return <>Shown as desktop notifications by JetDeck.</>;
    case 'unsupported':
      return <>This browser cannot show notifications; alerts still change the badges.</>;
    case 'granted':
      return <>Browser notifications are on for this page.</>;
    case 'denied':
      return <>The browser blocks notifications for this page; allow them in the site settings.</>;
    default:
      return (
        <>
          Browser notifications need your permission.{' '}
          <button
            className="link"
            onClick={() => void requestBrowserNotifications()}
            data-testid="notify-allow"
          >
            Allow notifications
          </button>
        </>
      );
  }
}
