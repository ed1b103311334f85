import './progress-bar.css';

/**
 * A horizontal progress bar. `value` of `max`; a second `failed` segment is drawn after the
 * good part so a bulk job's failures stay visible. Without `max` it shows an indeterminate stripe.
 */
export function ProgressBar({
  value,
  max,
  failed = 0,
  label,
  testId = 'progress-bar',
}: {
  value: number;
  max?: number;
  failed?: number;
  /** Accessible label, e.g. "Publishing 100 tasks". */
  label: string;
  testId?: string;
}) {
  const determinate = max !== undefined && max > 0;
  const pct = (n: number) => (determinate ? Math.max(0, Math.min(100, (n / max) * 100)) : 0);
  return (
    <div
      className={`progress${determinate ? '' : ' indeterminate'}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={determinate ? max : undefined}
      aria-valuenow={determinate ? value : undefined}
      data-testid={testId}
    >
      <div className="progress-fill" style={{ width: determinate ? `${pct(value)}%` : undefined }} />
      {failed > 0 && <div className="progress-fill bad" style={{ width: `${pct(failed)}%` }} />}
    </div>
  );
}
