import { create } from 'zustand';

export type ThemePref = 'system' | 'light' | 'dark';
const KEY = 'jetdeck.theme';
const media = () => window.matchMedia('(prefers-color-scheme: dark)');

function readPref(): ThemePref {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

function resolve(pref: ThemePref): 'light' | 'dark' {
  if (pref !== 'system') return pref;
  return media().matches ? 'dark' : 'light';
}

interface ThemeState {
  pref: ThemePref;
  resolved: 'light' | 'dark';
  setPref: (pref: ThemePref) => void;
  cycle: () => void;
}

const ORDER: ThemePref[] = ['system', 'light', 'dark'];

export const useTheme = create<ThemeState>()((set, get) => ({
  pref: readPref(),
  resolved: resolve(readPref()),
  setPref: (pref) => {
    try {
      if (pref === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, pref);
    } catch {
      // Storage can be disabled; the choice then lasts for this session only.
    }
    set({ pref, resolved: resolve(pref) });
  },
  cycle: () => get().setPref(ORDER[(ORDER.indexOf(get().pref) + 1) % ORDER.length]),
}));

/** Applies the theme to <html> now and whenever the preference or the OS scheme changes. */
export function initTheme(): void {
  const apply = (t: 'light' | 'dark') => {
    document.documentElement.dataset.theme = t;
  };
  apply(useTheme.getState().resolved);
  useTheme.subscribe((s) => apply(s.resolved));
  media().addEventListener('change', () => {
    const { pref } = useTheme.getState();
    if (pref === 'system') useTheme.setState({ resolved: resolve('system') });
  });
}
