import type { HealthEntry, HealthReason, HealthStatus } from '../../api/features/monitor';
import './health-badge.css';

const TONE: Record<HealthStatus, string> = { OK: 'ok', WARN: 'warn', CRIT: 'bad' };

/**
 * OK / WARN / CRIT with the reasons in a tooltip (native `title`, so it works in tables and
 * needs no positioning). Renders a muted "—" when the status is not known yet.
 */
export function HealthBadge({
  entry,
  status = entry?.status,
  reasons = entry?.reasons ?? [],
  testId = 'health-badge',
}: {
  /** A health entry (e.g. from useHealthFor); or pass status and reasons directly. */
  entry?: HealthEntry;
  status?: HealthStatus;
  reasons?: HealthReason[];
  testId?: string;
}) {
  if (!status)
    return (
      <span
        className="health-badge unknown"
        data-testid={testId}
        data-status="unknown"
        title="Not checked yet"
      >
        —
      </span>
    );
  const failing = reasons.filter((r) => r.status !== 'OK');
  const tip = failing.length ? failing.map((r) => `${r.status}: ${r.message}`).join('\n') : 'All checks pass';
  return (
    <span
      className={`health-badge tone-${TONE[status]}`}
      data-testid={testId}
      data-status={status}
      title={tip}
      aria-label={`${status}${failing.length ? `: ${failing.map((r) => r.message).join('; ')}` : ''}`}
    >
      {status}
    </span>
  );
}
