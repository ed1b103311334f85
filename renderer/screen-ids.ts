/**
 * The screen ids, in sidebar order (Ctrl/Cmd+1..9 follow it). DOM-free, so e2e specs import
 * the same list the app renders; navigation.ts re-exports it for the renderer.
 */
export const SCREEN_IDS = [
  'overview',
  'tasks',
  'workers',
  'streams',
  'messages',
  'corenats',
  'consumers',
  'kv',
  'monitor',
  'connections',
] as const;
export type ScreenId = (typeof SCREEN_IDS)[number];
export const DEFAULT_SCREEN: ScreenId = 'overview';

export function isScreenId(id: string): id is ScreenId {
  return (SCREEN_IDS as readonly string[]).includes(id);
}
