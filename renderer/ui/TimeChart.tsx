import { useEffect, useRef, useState } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './time-chart.css';

export interface TimeSeries {
  label: string;
  /** One value per timestamp in `x`; null leaves a gap. */
  values: (number | null)[];
  /** Series with different units get their own y axis (the second one on the right). */
  unit?: string;
  /** A CSS variable name (e.g. '--ok') or a colour; defaults follow the palette. */
  color?: string;
}

/** Theme colours for series without their own, in order. */
const PALETTE = ['--accent', '--warn', '--ok', '--bad'];

function cssColor(v: string): string {
  if (!v.startsWith('--')) return v;
  return getComputedStyle(document.documentElement).getPropertyValue(v).trim() || '#888';
}

/** Re-renders when <html data-theme> changes so axes and series pick up the new variables. */
function useThemeKey(): string {
  const [key, setKey] = useState(() => document.documentElement.dataset.theme ?? '');
  useEffect(() => {
    const mo = new MutationObserver(() => setKey(document.documentElement.dataset.theme ?? ''));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class'] });
    return () => mo.disconnect();
  }, []);
  return key;
}

function fmtValue(v: number | null | undefined, unit?: string): string {
  if (v === null || v === undefined) return '—';
  // Milliseconds read better as seconds once they get long (keeps axis labels short).
  if (unit === 'ms' && Math.abs(v) >= 1000) return `${Math.round(v / 100) / 10} s`;
  const a = Math.abs(v);
  const n =
    a >= 10_000
      ? `${Math.round(v / 1000)}k`
      : a >= 100
        ? String(Math.round(v))
        : String(Math.round(v * 10) / 10);
  return unit ? `${n} ${unit}` : n;
}

/** Axis width from its longest label, so labels like "1.2 s" or "12k /s" are never clipped. */
function axisSize(self: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number {
  const axis = self.axes[axisIdx] as uPlot.Axis & { _size?: number };
  if (cycleNum > 1 && axis._size) return axis._size;
  const longest = (values ?? []).reduce((a, v) => (String(v).length > a.length ? String(v) : a), '');
  const font = Array.isArray(axis.font) ? axis.font[0] : undefined;
  if (typeof font === 'string') self.ctx.font = font;
  const textWidth = longest ? self.ctx.measureText(longest).width / (window.devicePixelRatio || 1) : 0;
  return Math.max(40, Math.ceil(textWidth + 24));
}

function buildOptions(
  series: TimeSeries[],
  width: number,
  height: number,
  xRange: React.RefObject<[number, number] | undefined>,
): Options {
  const text = cssColor('--text-muted');
  const grid = cssColor('--border');
  const units = [...new Set(series.map((s) => s.unit ?? ''))].slice(0, 2);
  const axis = (unit: string, side: 1 | 3): uPlot.Axis => ({
    scale: unit || 'y',
    side,
    stroke: text,
    grid: { stroke: grid, width: 1, show: side === 3 },
    ticks: { stroke: grid, width: 1 },
    size: axisSize,
    values: (_u, ticks) => ticks.map((t) => fmtValue(t, unit || undefined)),
  });
  return {
    width,
    height,
    cursor: { drag: { x: false, y: false } },
    legend: { show: true, live: true },
    scales: {
      // A fixed window (seconds) when given, so the axis says "the last N minutes" from the start.
      x: {
        time: true,
        range: (_u, min, max) => {
          const r = xRange.current;
          return r ? [r[0] / 1000, r[1] / 1000] : [min, max];
        },
      },
      ...Object.fromEntries(
        units.map((u) => [
          u || 'y',
          {
            range: (_u: uPlot, _min: number, max: number) => [0, max > 0 ? max * 1.1 : 1] as [number, number],
          },
        ]),
      ),
    },
    axes: [
      { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
      ...units.map((u, i) => axis(u, i === 0 ? 3 : 1)),
    ],
    series: [
      { value: (_u, v) => (v === null ? '—' : new Date(v * 1000).toLocaleTimeString()) },
      ...series.map((s, i) => {
        const colour = cssColor(s.color ?? PALETTE[i % PALETTE.length]);
        const unit = units.includes(s.unit ?? '') ? (s.unit ?? '') : units[0];
        return {
          label: s.label,
          scale: unit || 'y',
          stroke: colour,
          width: 1.6,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => fmtValue(v, s.unit),
        };
      }),
    ],
  };
}

/**
 * A small uPlot time-series chart: `x` are epoch milliseconds, one line per series. It follows
 * its container's width (ResizeObserver) and the theme's CSS variables.
 */
export function TimeChart({
  x,
  series,
  height = 160,
  emptyText = 'Collecting data…',
  testId = 'time-chart',
  xRange,
}: {
  /** Fixed x window in epoch ms; default: the data's own extent. */
  xRange?: [number, number];
  x: number[];
  series: TimeSeries[];
  height?: number;
  emptyText?: string;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [width, setWidth] = useState(0);
  const theme = useThemeKey();
  // The chart is rebuilt only when its shape changes (series, units, theme); data updates use setData.
  const shape = series.map((s) => `${s.label}|${s.unit ?? ''}|${s.color ?? ''}`).join(',');
  const data: AlignedData = [x.map((t) => t / 1000), ...series.map((s) => s.values)];
  const dataRef = useRef(data);
  dataRef.current = data;
  const seriesRef = useRef(series);
  seriesRef.current = series;
  const xRangeRef = useRef(xRange);
  xRangeRef.current = xRange;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver((entries) => setWidth(Math.floor(entries[0].contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!el || width <= 0) return;
    const u = new uPlot(buildOptions(seriesRef.current, width, height, xRangeRef), dataRef.current, el);
    plot.current = u;
    return () => {
      u.destroy();
      plot.current = null;
    };
    // Width changes go through setSize below, not a rebuild.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, theme, height, width > 0]);

  useEffect(() => {
    plot.current?.setSize({ width, height });
  }, [width, height]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <div className="time-chart" data-testid={testId} data-points={x.length}>
      <div
        ref={box}
        className="time-chart-plot"
        style={x.length < 2 ? { visibility: 'hidden' } : undefined}
      />
      {x.length < 2 && <div className="time-chart-empty muted small">{emptyText}</div>}
    </div>
  );
}
