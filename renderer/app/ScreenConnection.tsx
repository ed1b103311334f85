import { connectProfile } from '../features/connections/actions';
import { useConnections } from '../features/connections/store';
import { useWorkers } from '../features/workers/store';
import { useRoute } from '../navigation';
import { screenOf } from './screens';

/**
 * Which connection the screen on show uses: every screen uses the active one, and the Workers
 * screen also names the connection its pool runs on when that is another one. With several
 * connections open, a picker switches between them without closing any.
 */
export function ScreenConnection() {
  const screen = useRoute((r) => r.screen);
  const open = useConnections((s) => s.open);
  const poolProfile = useWorkers((s) => (s.pool && s.pool.state !== 'stopped' ? s.pool.profile : undefined));
  const active = open.find((o) => o.active);
  if (!active) return null;
  const label = screenOf(screen).label;
  const poolElsewhere = screen === 'workers' && poolProfile && poolProfile !== active.profileName;
  return (
    <span className="status-screen-conn" data-testid="screen-connection" data-screen={screen}>
      {open.length > 1 ? (
        <label className="status-switch">
          <span className="muted">{label} uses</span>
          <select
            value={active.profileId}
            aria-label={`Connection the ${label} screen uses`}
            onChange={(e) => {
              const to = open.find((o) => o.profileId === e.target.value);
              if (to) void connectProfile(to.profileId, to.profileName);
            }}
            data-testid="connection-switch"
          >
            {open.map((o) => (
              <option key={o.profileId} value={o.profileId}>
                {o.profileName}
                {o.state === 'reconnecting' ? ' (reconnecting)' : ''}
              </option>
            ))}
          </select>
          <span className="muted" data-testid="open-count">
            {open.length} open
          </span>
        </label>
      ) : (
        <span className="muted">
          {label} uses <span data-testid="screen-connection-name">{active.profileName}</span>
        </span>
      )}
      {poolElsewhere && (
        <span className="warn-text" data-testid="pool-connection">
          pool runs on {poolProfile}
        </span>
      )}
    </span>
  );
}
