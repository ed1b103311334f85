import { parseSeriesKey, type SeriesKind } from '../../../api/features/monitor';

/** Distinct line colours that read on both themes; the first ones follow the theme. */
export const LINE_COLORS = [
  '--accent',
  '--warn',
  '--ok',
  '--bad',
  '#a47cf0',
  '#2cb5c0',
  '#e07b3c',
  '#7fa83a',
  '#d35fa8',
  '#8c8c8c',
];

export function lineColor(i: number): string {
  return LINE_COLORS[i % LINE_COLORS.length];
}

/** The ids present for a kind, e.g. every server name, from the history's series keys. */
export function idsOf(series: Record<string, unknown>, kind: SeriesKind): string[] {
  const ids = new Set<string>();
  for (const k of Object.keys(series)) {
    const p = parseSeriesKey(k);
    if (p?.kind === kind) ids.add(p.id);
  }
  return [...ids].sort();
}

/** The last non-null value of a column. */
export function lastValue(col: (number | null)[] | undefined): number | undefined {
  if (!col) return undefined;
  for (let i = col.length - 1; i >= 0; i--) {
    const v = col[i];
    if (v !== null) return v;
  }
  return undefined;
}

/** A column scaled (e.g. bytes → MiB); null stays null. */
export function scaled(col: (number | null)[] | undefined, by: number, len: number): (number | null)[] {
  if (!col) return new Array<number | null>(len).fill(null);
  return col.map((v) => (v === null ? null : v / by));
}

/** Sum of a metric over ids at each point (null where no id had a value). */
export function summed(
  series: Record<string, (number | null)[]>,
  keys: string[],
  len: number,
): (number | null)[] {
  const out = new Array<number | null>(len).fill(null);
  for (const k of keys) {
    const col = series[k];
    if (!col) continue;
    for (let i = 0; i < len; i++) {
      const v = col[i];
      if (v !== null && v !== undefined) out[i] = (out[i] ?? 0) + v;
    }
  }
  return out;
}
