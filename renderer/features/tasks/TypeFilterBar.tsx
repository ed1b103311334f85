import type { ReactNode } from 'react';

/**
 * The type select and id search that Tasks and Dead letters both filter by; `children` (saved
 * views, a screen's own toggles) follow them in the same row. `testIdPrefix` keeps each screen's
 * test ids (`filter-type` / `dead-filter-type`).
 */
export function TypeFilterBar({
  types,
  type,
  onType,
  q,
  onQ,
  what,
  testIdPrefix = '',
  className,
  children,
}: {
  types: string[];
  type: string;
  onType: (type: string | undefined) => void;
  q: string;
  onQ: (q: string) => void;
  /** Ends the aria labels: "Filter <what> by type", "Search <what> by id". */
  what?: string;
  testIdPrefix?: string;
  className: string;
  children?: ReactNode;
}) {
  const of = what ? ` ${what}` : '';
  return (
    <div className={className}>
      <select
        aria-label={`Filter${of} by type`}
        value={type}
        onChange={(e) => onType(e.target.value || undefined)}
        data-testid={`${testIdPrefix}filter-type`}
      >
        <option value="">All types</option>
        {types.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <input
        type="search"
        placeholder="Search id…"
        aria-label={`Search${of} by id`}
        value={q}
        onChange={(e) => onQ(e.target.value)}
        data-testid={`${testIdPrefix}filter-id`}
      />
      {children}
    </div>
  );
}
