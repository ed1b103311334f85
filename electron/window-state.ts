import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/util/fs';

/**
 * Remembered window geometry in `<userData>/window-state.json`. No electron import: the
 * caller passes the displays' work areas, so this is unit-tested without the binary.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const windowStateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(400).max(20_000),
  height: z.number().int().min(300).max(20_000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof windowStateSchema>;

export const DEFAULT_SIZE = { width: 1280, height: 820 } as const;
const FILE_NAME = 'window-state.json';
/** How much of the title bar must be on a display for the window to be reachable. */
const MIN_VISIBLE = 64;

export function loadWindowState(dir: string): WindowState | undefined {
  const path = join(dir, FILE_NAME);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = windowStateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // a corrupt file only costs the remembered size
  }
}

export function saveWindowState(dir: string, state: WindowState): void {
  writeFileAtomic(join(dir, FILE_NAME), JSON.stringify(state, null, 2));
}

/** True when enough of the window's top edge lies on one of the displays to grab it. */
export function isReachable(bounds: Rect, workAreas: readonly Rect[]): boolean {
  return workAreas.some((area) => {
    const overlapX = Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x);
    const titleBarOnArea = bounds.y >= area.y && bounds.y < area.y + area.height - MIN_VISIBLE / 2;
    return overlapX >= MIN_VISIBLE && titleBarOnArea;
  });
}

/** The saved state if it is still reachable on the current displays, else nothing (use defaults). */
export function restorableState(
  saved: WindowState | undefined,
  workAreas: readonly Rect[],
): WindowState | undefined {
  return saved && isReachable(saved, workAreas) ? saved : undefined;
}
