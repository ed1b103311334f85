import { create } from 'zustand';
import { DEFAULT_SCREEN, isScreenId, type ScreenId } from './screen-ids';

/**
 * Screen ids and a typed `navigate`: what features import to send the user elsewhere. The table
 * of screen components lives apart (app/screens.ts), so features never import the app shell.
 */

export { DEFAULT_SCREEN, SCREEN_IDS, isScreenId, type ScreenId } from './screen-ids';

/** Query parameters a screen reads from its link (`#/messages?stream=ORDERS`). */
export interface ScreenParams {
  messages: { stream?: string };
  consumers: { stream?: string; consumer?: string };
}
export type ParamsOf<S extends ScreenId> = S extends keyof ScreenParams ? ScreenParams[S] : never;

export interface Route {
  screen: ScreenId;
  params: Record<string, string>;
}

/** Hash routing (#/overview): works the same under file://, a custom protocol and http. */
export function parseHash(hash: string): Route {
  const [path, query] = hash.replace(/^#\/?/, '').split('?');
  const id = path.split('/')[0];
  return {
    screen: isScreenId(id) ? id : DEFAULT_SCREEN,
    params: isScreenId(id) && query ? Object.fromEntries(new URLSearchParams(query)) : {},
  };
}

export function hashFor<S extends ScreenId>(screen: S, params?: ParamsOf<S>): string {
  const defined = Object.entries(params ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  const query = new URLSearchParams(defined).toString();
  return `#/${screen}${query ? `?${query}` : ''}`;
}

const hasWindow = typeof window !== 'undefined';

export const useRoute = create<Route>()(() => parseHash(hasWindow ? location.hash : ''));

if (hasWindow) window.addEventListener('hashchange', () => useRoute.setState(parseHash(location.hash)));

export function navigate<S extends ScreenId>(screen: S, params?: ParamsOf<S>): void {
  location.hash = hashFor(screen, params);
}

/** The parameters of the current route when it is `screen` (else empty). */
export function routeParams<S extends keyof ScreenParams>(screen: S): Partial<ScreenParams[S]> {
  const r = useRoute.getState();
  return r.screen === screen ? (r.params as Partial<ScreenParams[S]>) : {};
}
