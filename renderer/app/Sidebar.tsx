import { SidebarHealthBadge } from '../features/monitor/HealthAlert';
import { Icon } from '../ui/Icon';
import { MOD } from './keyboard';
import { useRoute } from '../navigation';
import { SCREENS } from './screens';
import { useUi } from '../ui/ui-store';

export function Sidebar() {
  const current = useRoute((s) => s.screen);
  const setUi = useUi((s) => s.set);
  return (
    <nav className="sidebar" aria-label="Screens">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          J
        </span>
        JetDeck
      </div>
      <ul>
        {SCREENS.map((s, i) => (
          <li key={s.id}>
            <a
              href={`#/${s.id}`}
              className={current === s.id ? 'active' : undefined}
              aria-current={current === s.id ? 'page' : undefined}
              data-testid={`nav-${s.id}`}
              title={`${s.label} (${MOD}+${i + 1})`}
            >
              <Icon name={s.icon} />
              <span>{s.label}</span>
              {s.id === 'monitor' && <SidebarHealthBadge />}
            </a>
          </li>
        ))}
      </ul>
      <button
        className="palette-hint"
        onClick={() => setUi({ paletteOpen: true })}
        data-testid="open-palette"
      >
        <Icon name="search" size={14} />
        <span>Commands</span>
        <kbd>{MOD}+K</kbd>
      </button>
    </nav>
  );
}
