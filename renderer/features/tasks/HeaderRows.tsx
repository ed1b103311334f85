import type { HeaderRow } from './publish-form-model';

/** Editable name/value rows for a task's user headers. */
export function HeaderRows({
  rows,
  onChange,
  error,
}: {
  rows: HeaderRow[];
  onChange: (rows: HeaderRow[]) => void;
  error?: string;
}) {
  const set = (i: number, p: Partial<HeaderRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...p } : r)));
  return (
    <div className={`field${error ? ' invalid' : ''}`} data-testid="publish-headers">
      <label>Headers</label>
      {rows.map((r, i) => (
        <div className="header-row" key={i}>
          <input
            aria-label={`Header ${i + 1} name`}
            placeholder="Name"
            value={r.key}
            spellCheck={false}
            onChange={(e) => set(i, { key: e.target.value })}
            data-testid="header-key"
          />
          <input
            aria-label={`Header ${i + 1} value`}
            placeholder="Value"
            value={r.value}
            spellCheck={false}
            onChange={(e) => set(i, { value: e.target.value })}
            data-testid="header-value"
          />
          <button
            type="button"
            className="btn small ghost"
            aria-label={`Remove header ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <div>
        <button
          type="button"
          className="btn small"
          onClick={() => onChange([...rows, { key: '', value: '' }])}
          data-testid="header-add"
        >
          + Add header
        </button>
      </div>
      {error && (
        <span className="field-error" role="alert" data-testid="error-publish-headers">
          {error}
        </span>
      )}
    </div>
  );
}
