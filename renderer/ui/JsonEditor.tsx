import { useId, useMemo, type KeyboardEvent } from 'react';
import { checkJson } from './json-check';
import './json-editor.css';

/**
 * A textarea for JSON with live validation: the error shows with its line and column, a Format
 * button pretty-prints valid input. Tab inserts two spaces instead of leaving the field.
 */
export function JsonEditor({
  value,
  onChange,
  label,
  rows = 6,
  onSubmitShortcut,
  testId = 'json-editor',
}: {
  value: string;
  onChange: (text: string) => void;
  label: string;
  rows?: number;
  /** Ctrl/Cmd+Enter inside the editor (the form's submit). */
  onSubmitShortcut?: () => void;
  testId?: string;
}) {
  const id = useId();
  const check = useMemo(() => checkJson(value), [value]);
  const format = () => {
    if (check.ok) onChange(JSON.stringify(check.value, null, 2));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && onSubmitShortcut) {
      e.preventDefault();
      onSubmitShortcut();
      return;
    }
    if (e.key === 'Tab' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      const t = e.currentTarget;
      const { selectionStart: s, selectionEnd: end } = t;
      onChange(value.slice(0, s) + '  ' + value.slice(end));
      requestAnimationFrame(() => t.setSelectionRange(s + 2, s + 2));
    }
  };
  return (
    <div className={`field json-editor${check.ok ? '' : ' invalid'}`} data-testid={testId}>
      <div className="json-editor-head">
        <label htmlFor={id}>{label}</label>
        <button
          type="button"
          className="btn small ghost"
          onClick={format}
          disabled={!check.ok}
          data-testid={`${testId}-format`}
        >
          Format
        </button>
      </div>
      <textarea
        id={id}
        className="mono"
        rows={rows}
        spellCheck={false}
        autoComplete="off"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        aria-invalid={!check.ok}
        aria-describedby={`${id}-status`}
        data-testid={`${testId}-input`}
      />
      <span
        id={`${id}-status`}
        className={check.ok ? 'field-hint' : 'field-error'}
        role={check.ok ? undefined : 'alert'}
        data-testid={`${testId}-status`}
      >
        {check.ok
          ? value.trim() === ''
            ? 'Empty: sends null'
            : 'Valid JSON'
          : `Line ${check.line}, column ${check.column}: ${check.message}`}
      </span>
    </div>
  );
}
