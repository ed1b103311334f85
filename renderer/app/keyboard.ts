import { useEffect } from 'react';
import { navigate } from '../navigation';
import { SCREENS } from './screens';
import { useUi } from '../ui/ui-store';

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const MOD = isMac ? '⌘' : 'Ctrl';

function typingInField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/** The digit key of the screen at `index` in the sidebar: 1..9, then 0 for the tenth. */
export function screenDigit(index: number): string | undefined {
  return index < 9 ? String(index + 1) : index === 9 ? '0' : undefined;
}

/** Ctrl/Cmd+K palette, Ctrl/Cmd+1..9 and 0 screens, `?` shortcut help. Esc is handled by each dialog. */
export function useGlobalShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = isMac ? e.metaKey : e.ctrlKey;
      const ui = useUi.getState();
      if (mod && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        ui.set({ paletteOpen: !ui.paletteOpen });
        return;
      }
      if (mod && /^[0-9]$/.test(e.key)) {
        const screen = SCREENS.find((_s, i) => screenDigit(i) === e.key);
        if (screen) {
          e.preventDefault();
          navigate(screen.id);
        }
        return;
      }
      if (e.key === '?' && !mod && !typingInField(e.target) && !ui.paletteOpen) {
        e.preventDefault();
        ui.set({ shortcutsOpen: true });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
