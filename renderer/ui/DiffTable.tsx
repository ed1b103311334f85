import './data-views.css';
/** One changed field: dotted path, value before and after. */
export interface DiffRow {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
  /** Shown as a warning: the server will refuse this change. */
  problem?: string;
}

function show(v: unknown): string {
  if (v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Field-by-field diff (path, current, new) shown before an edit is applied. */
export function DiffTable({ rows, testId = 'diff-table' }: { rows: DiffRow[]; testId?: string }) {
  if (rows.length === 0)
    return (
      <p className="muted" data-testid={`${testId}-empty`}>
        No changes.
      </p>
    );
  return (
    <table className="diff-table" data-testid={testId}>
      <thead>
        <tr>
          <th>Field</th>
          <th>Current</th>
          <th>New</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            key={r.path}
            className={`diff-${r.kind}${r.problem ? ' diff-problem' : ''}`}
            data-testid="diff-row"
            data-path={r.path}
          >
            <td className="mono">
              {r.path}
              {r.problem && <div className="error-text small">{r.problem}</div>}
            </td>
            <td className="mono diff-before">{show(r.before)}</td>
            <td className="mono diff-after">{show(r.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
