import type { ReactNode } from 'react';

/**
 * A row of toggle buttons choosing one of `options` (a mode, a view, a range). `testId(value)`
 * names each button; `label(value)` is its text (the value itself by default).
 */
export function Segmented<T extends string>({
  options,
  value,
  onChange,
  ariaLabel,
  label = (v) => v,
  title,
  testId,
}: {
  options: readonly T[];
  value: T;
  onChange: (value: T) => void;
  ariaLabel: string;
  label?: (value: T) => ReactNode;
  title?: (value: T) => string | undefined;
  testId?: (value: T) => string;
}) {
  return (
    <div className="segmented" role="group" aria-label={ariaLabel}>
      {options.map((o) => (
        <button
          type="button"
          key={o}
          className={value === o ? 'on' : ''}
          aria-pressed={value === o}
          onClick={() => onChange(o)}
          title={title?.(o)}
          data-testid={testId?.(o)}
        >
          {label(o)}
        </button>
      ))}
    </div>
  );
}
