import { describeStatus } from '../features/connections/describe-status';
import { useConnections } from '../features/connections/store';
import { StatusHealth } from '../features/monitor/HealthAlert';
import { Icon } from '../ui/Icon';
import { useApp } from './app-store';
import { ScreenConnection } from './ScreenConnection';
import { useTheme } from './theme';
import { useUi } from '../ui/ui-store';

const THEME_ICON = { system: 'system', light: 'sun', dark: 'moon' } as const;

export function StatusBar() {
  const status = useConnections((s) => s.status);
  const transport = useApp((s) => s.transport);
  const info = useApp((s) => s.info);
  const pref = useTheme((s) => s.pref);
  const cycle = useTheme((s) => s.cycle);
  const setUi = useUi((s) => s.set);
  const { tone, text } = describeStatus(status);
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className="status-conn" data-testid="connection-status" data-state={status.state} title={text}>
        <span
          className={`dot ${tone}${status.state === 'connecting' || status.state === 'reconnecting' ? ' pulse' : ''}`}
        />
        <span className="ellipsis">{text}</span>
      </span>
      {transport === 'closed' && (
        <span className="status-transport" data-testid="transport-status" role="alert">
          <span className="dot bad pulse" /> backend unreachable, retrying
        </span>
      )}
      <ScreenConnection />
      <span className="spacer" />
      <StatusHealth />
      <button
        className="status-btn"
        onClick={() => setUi({ shortcutsOpen: true })}
        title="Keyboard shortcuts (?)"
        data-testid="open-shortcuts"
      >
        <Icon name="keyboard" size={14} />
      </button>
      <button
        className="status-btn"
        onClick={cycle}
        title={`Theme: ${pref} (click to change)`}
        data-testid="theme-toggle"
        data-theme-pref={pref}
      >
        <Icon name={THEME_ICON[pref]} size={14} />
        <span>{pref}</span>
      </button>
      <span className="muted" data-testid="app-version">
        JetDeck {info ? `v${info.version} · ${info.mode}` : ''}
      </span>
    </footer>
  );
}
