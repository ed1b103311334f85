import type { ReactNode } from 'react';

export function EmptyState({
  title,
  children,
  testId,
}: {
  title: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="empty" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </div>
  );
}

export function ErrorState({
  title,
  message,
  onRetry,
  testId,
}: {
  title: string;
  message: string;
  onRetry?: () => void;
  testId?: string;
}) {
  return (
    <div className="empty error-state" role="alert" data-testid={testId}>
      <h2>{title}</h2>
      <p className="error-text">{message}</p>
      {onRetry && (
        <button className="btn" onClick={onRetry} data-testid="retry">
          Retry
        </button>
      )}
    </div>
  );
}

/** Grey placeholder blocks shown while the first data loads. */
export function Skeleton({ rows = 3 }: { rows?: number }) {
  return (
    <div className="skeleton" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton-row" />
      ))}
    </div>
  );
}
