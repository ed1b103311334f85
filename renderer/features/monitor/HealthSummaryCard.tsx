import { useMemo } from 'react';
import type { HealthStatus } from '../../../api/features/monitor';
import { navigate } from '../../navigation';
import { HealthBadge } from '../../ui/HealthBadge';
import { useHealth, useHealthLoaded } from './health-store';
import { useMonitor } from './store';
import './monitor.css';

const SHOWN = 5;
const RANK: Record<HealthStatus, number> = { CRIT: 0, WARN: 1, OK: 2 };

/** Overview card: the overall health and the worst streams/consumers, linking to the Monitor. */
export function HealthSummaryCard() {
  const loaded = useHealthLoaded();
  const entries = useHealth((s) => s.entries);
  const overall = useHealth((s) => s.overall);
  const worst = useMemo(
    () =>
      Object.values(entries)
        .filter((e) => e.status !== 'OK')
        .sort((a, b) => RANK[a.status] - RANK[b.status] || a.key.localeCompare(b.key)),
    [entries],
  );
  const total = Object.keys(entries).length;
  return (
    <section className="card span2" data-testid="overview-health">
      <div className="card-head">
        <h2>
          Health <HealthBadge status={loaded ? overall : undefined} testId="overview-health-overall" />
        </h2>
        <button
          className="btn small ghost"
          onClick={() => {
            useMonitor.setState({ tab: 'health' });
            navigate('monitor');
          }}
          data-testid="overview-health-open"
        >
          Open Monitor →
        </button>
      </div>
      {!loaded ? (
        <p className="muted small">Checking…</p>
      ) : total === 0 ? (
        <p className="muted small">No streams or consumers checked yet.</p>
      ) : worst.length === 0 ? (
        <p className="muted small">All {total} streams and consumers are within their thresholds.</p>
      ) : (
        <ul className="plain health-summary-list small">
          {worst.slice(0, SHOWN).map((e) => (
            <li key={e.key}>
              <HealthBadge entry={e} />
              <span className="mono">{e.consumer ? `${e.stream} › ${e.consumer}` : e.stream}</span>
              <span className="muted ellipsis">
                {e.reasons
                  .filter((r) => r.status !== 'OK')
                  .map((r) => r.message)
                  .join('; ')}
              </span>
            </li>
          ))}
          {worst.length > SHOWN && <li className="muted">and {worst.length - SHOWN} more</li>}
        </ul>
      )}
    </section>
  );
}
