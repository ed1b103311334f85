import { describe, expect, it } from 'vitest';
import { useUi } from './ui-store';

describe('ui store', () => {
  it('starts with every overlay closed; set opens one and leaves the others', () => {
    expect(useUi.getState()).toMatchObject({ paletteOpen: false, shortcutsOpen: false, logOpen: false });
    useUi.getState().set({ shortcutsOpen: true });
    expect(useUi.getState()).toMatchObject({ paletteOpen: false, shortcutsOpen: true, logOpen: false });
    useUi.getState().set({ paletteOpen: true, shortcutsOpen: false });
    expect(useUi.getState()).toMatchObject({ paletteOpen: true, shortcutsOpen: false, logOpen: false });
  });
});
