import { navigate } from '../../navigation';
import { useConnections } from '../connections/store';
import { useHealth, useHealthLoaded } from './health-store';

/** How many streams and consumers are at WARN / CRIT, live (0/0 while not connected). */
function useHealthCounts(): { crit: number; warn: number } {
  useHealthLoaded();
  const connected = useConnections((s) => s.status.state === 'connected');
  const entries = useHealth((s) => s.entries);
  if (!connected) return { crit: 0, warn: 0 };
  let crit = 0;
  let warn = 0;
  for (const e of Object.values(entries)) {
    if (e.status === 'CRIT') crit++;
    else if (e.status === 'WARN') warn++;
  }
  return { crit, warn };
}

/** A CRIT count on the sidebar's Monitor entry, seen from any screen. */
export function SidebarHealthBadge() {
  const { crit } = useHealthCounts();
  if (!crit) return null;
  return (
    <span
      className="nav-badge bad"
      data-testid="nav-health-crit"
      aria-label={`${crit} health checks critical`}
    >
      {crit}
    </span>
  );
}

/** The status bar's health note: CRIT (or WARN) count, one click to Monitor's health tab. */
export function StatusHealth() {
  const { crit, warn } = useHealthCounts();
  if (!crit && !warn) return null;
  const tone = crit ? 'bad' : 'warn';
  const text = crit ? `${crit} CRIT` : `${warn} WARN`;
  return (
    <button
      className={`status-btn status-health ${tone}`}
      onClick={() => navigate('monitor')}
      title="Health checks need attention: open Monitor"
      data-testid="status-health"
      data-status={crit ? 'CRIT' : 'WARN'}
    >
      <span className={`dot ${tone}`} />
      <span>health {text}</span>
    </button>
  );
}
