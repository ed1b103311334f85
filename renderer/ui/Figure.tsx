/** A labelled headline figure (queue status, overview, pool totals); `tone` colours the value. */
export function Figure({
  label,
  value,
  testId,
  tone,
  title,
}: {
  label: string;
  value: string;
  testId: string;
  tone?: string;
  title?: string;
}) {
  return (
    <div className="figure" title={title}>
      <span className="figure-label">{label}</span>
      <span className={`figure-value${tone ? ` tone-${tone}` : ''}`} data-testid={testId}>
        {value}
      </span>
    </div>
  );
}
