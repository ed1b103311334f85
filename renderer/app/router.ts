import { create } from 'zustand';
import { DEFAULT_SCREEN, findScreen } from './screens';

function fromHash(): string {
  const id = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return findScreen(id) ? id : DEFAULT_SCREEN;
}

interface RouteState {
  screen: string;
}

/** Hash routing (#/overview): works the same under file://, a custom protocol and http. */
export const useRoute = create<RouteState>()(() => ({ screen: fromHash() }));

window.addEventListener('hashchange', () => useRoute.setState({ screen: fromHash() }));

export function navigate(screen: string): void {
  location.hash = `#/${screen}`;
}
