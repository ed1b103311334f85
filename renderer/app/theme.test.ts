import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A browser's storage, OS colour scheme and <html>, enough for the theme module. */
function page(opts: { stored?: string; dark?: boolean; storageThrows?: boolean } = {}) {
  const store = new Map<string, string>(opts.stored ? [['jetdeck.theme', opts.stored]] : []);
  const fail = () => {
    throw new Error('storage disabled');
  };
  const listeners: (() => void)[] = [];
  const mql = { matches: !!opts.dark, addEventListener: (_: string, fn: () => void) => listeners.push(fn) };
  const html = { dataset: {} as Record<string, string> };
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => (opts.storageThrows ? fail() : (store.get(k) ?? null)),
    setItem: (k: string, v: string) => (opts.storageThrows ? fail() : store.set(k, v)),
    removeItem: (k: string) => (opts.storageThrows ? fail() : store.delete(k)),
  });
  vi.stubGlobal('window', { matchMedia: () => mql });
  vi.stubGlobal('document', { documentElement: html });
  return {
    store,
    html,
    /** The OS switches its colour scheme. */
    osDark(dark: boolean) {
      mql.matches = dark;
      for (const fn of listeners) fn();
    },
  };
}

/** A fresh copy of the module, reading the page as it is now. */
const load = async () => {
  vi.resetModules();
  return import('./theme');
};

describe('theme store', () => {
  beforeEach(() => vi.unstubAllGlobals());

  it('starts from the stored choice, or follows the OS when none is stored', async () => {
    page({ stored: 'light', dark: true });
    expect((await load()).useTheme.getState()).toMatchObject({ pref: 'light', resolved: 'light' });
    page({ dark: true });
    expect((await load()).useTheme.getState()).toMatchObject({ pref: 'system', resolved: 'dark' });
    page({ stored: 'purple' });
    expect((await load()).useTheme.getState()).toMatchObject({ pref: 'system', resolved: 'light' });
  });

  it('setPref stores an explicit choice and forgets it for system', async () => {
    const p = page({ dark: true });
    const { useTheme } = await load();
    useTheme.getState().setPref('light');
    expect(p.store.get('jetdeck.theme')).toBe('light');
    expect(useTheme.getState().resolved).toBe('light');
    useTheme.getState().setPref('system');
    expect(p.store.has('jetdeck.theme')).toBe(false);
    expect(useTheme.getState().resolved).toBe('dark');
  });

  it('cycle goes system → light → dark → system', async () => {
    page();
    const { useTheme } = await load();
    const seen = [1, 2, 3].map(() => (useTheme.getState().cycle(), useTheme.getState().pref));
    expect(seen).toEqual(['light', 'dark', 'system']);
  });

  it('with storage disabled, a choice still applies for the session', async () => {
    page({ storageThrows: true });
    const { useTheme } = await load();
    expect(useTheme.getState().pref).toBe('system');
    useTheme.getState().setPref('dark');
    expect(useTheme.getState()).toMatchObject({ pref: 'dark', resolved: 'dark' });
  });

  it('initTheme sets <html data-theme> and follows the OS only while the choice is system', async () => {
    const p = page();
    const { useTheme, initTheme } = await load();
    initTheme();
    expect(p.html.dataset.theme).toBe('light');
    p.osDark(true);
    expect(p.html.dataset.theme).toBe('dark');
    useTheme.getState().setPref('light');
    expect(p.html.dataset.theme).toBe('light');
    p.osDark(false);
    p.osDark(true);
    expect(p.html.dataset.theme).toBe('light');
  });
});
