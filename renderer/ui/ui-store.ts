import { create } from 'zustand';

interface UiState {
  paletteOpen: boolean;
  shortcutsOpen: boolean;
  logOpen: boolean;
  set: (patch: Partial<Omit<UiState, 'set'>>) => void;
}

/** Which app-level overlays are open; any screen or the palette may open them. */
export const useUi = create<UiState>()((set) => ({
  paletteOpen: false,
  shortcutsOpen: false,
  logOpen: false,
  set: (patch) => set(patch),
}));
