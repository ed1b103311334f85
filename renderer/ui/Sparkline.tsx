import './data-views.css';
/** A tiny inline SVG sparkline (oldest point first); flat and dim when there is nothing to show. */
export function Sparkline({
  points,
  width = 80,
  height = 20,
  label,
  testId,
}: {
  points: number[];
  width?: number;
  height?: number;
  /** Accessible description, e.g. "12 msg/s". */
  label?: string;
  testId?: string;
}) {
  const max = Math.max(1, ...points);
  const n = points.length;
  const step = n > 1 ? width / (n - 1) : width;
  const y = (v: number) => height - 1 - (v / max) * (height - 2);
  const d =
    n < 2 ? '' : points.map((v, i) => `${i ? 'L' : 'M'}${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join('');
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label ?? (n ? `rate ${points[n - 1]}/s` : 'no rate data yet')}
      data-testid={testId}
    >
      {d ? (
        <>
          <path d={`${d}L${width},${height}L0,${height}Z`} fill="var(--accent-soft)" stroke="none" />
          <path d={d} fill="none" stroke="var(--accent)" strokeWidth={1.4} strokeLinejoin="round" />
        </>
      ) : (
        <line
          x1={0}
          x2={width}
          y1={height - 1}
          y2={height - 1}
          stroke="var(--border-strong)"
          strokeDasharray="2 3"
        />
      )}
    </svg>
  );
}
