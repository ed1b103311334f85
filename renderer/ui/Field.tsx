import type { InputHTMLAttributes, ReactNode } from 'react';

/** A labelled form row with an inline error; `id` ties label, input and error together. */
export function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <span className="field-error" id={`${id}-error`} role="alert" data-testid={`error-${id}`}>
          {error}
        </span>
      ) : (
        hint && <span className="field-hint">{hint}</span>
      )}
    </div>
  );
}

/**
 * A labelled text input bound to a string value: the row most forms repeat. `testId` defaults to
 * the id; the error is tied to the input for screen readers; other input attributes (inputMode,
 * placeholder, type, min…) pass through.
 */
export function FieldInput({
  id,
  label,
  error,
  hint,
  value,
  onValue,
  testId = id,
  ...input
}: {
  id: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  value: string;
  onValue: (value: string) => void;
  testId?: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>) {
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <input
        id={id}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        data-testid={testId}
        {...input}
      />
    </Field>
  );
}
