import type { ReactNode } from 'react';
import { Field, FieldInput } from '../../ui/Field';
import { nanosToSeconds, numberOrUndefined, secondsToNanos } from './config-form';
import type { useConfigDraft } from './use-config-draft';

type Draft = ReturnType<typeof useConfigDraft>;

interface RowProps {
  draft: Draft;
  /** The config key the row edits; its zod issue shows inline. */
  k: string;
  id: string;
  label: string;
  hint?: ReactNode;
  disabled?: boolean;
  testId?: string;
}

/**
 * One config field of the stream or consumer editor: text, a number, or a duration the form
 * shows in seconds and the config keeps in nanoseconds.
 */
export function DraftInput({
  draft,
  k,
  kind = 'text',
  min,
  max,
  mono,
  ...field
}: RowProps & { kind?: 'text' | 'number' | 'seconds'; min?: number; max?: number; mono?: boolean }) {
  const value =
    kind === 'seconds' ? nanosToSeconds(draft.config[k]) : kind === 'number' ? draft.num(k) : draft.str(k);
  const parse = (text: string) =>
    kind === 'seconds' ? secondsToNanos(text) : kind === 'number' ? numberOrUndefined(text) : text;
  return (
    <FieldInput
      {...field}
      error={draft.err(k)}
      type={kind === 'text' ? undefined : 'number'}
      className={mono ? 'mono' : undefined}
      min={min}
      max={max}
      value={value}
      onValue={(v) => draft.set(k, parse(v))}
    />
  );
}

/** A config field chosen from a list; `fallback` is what the server assumes when it is left out. */
export function DraftSelect({
  draft,
  k,
  options,
  fallback,
  ...field
}: RowProps & { options: readonly (string | readonly [value: string, label: string])[]; fallback: string }) {
  return (
    <Field id={field.id} label={field.label} error={draft.err(k)} hint={field.hint}>
      <select
        id={field.id}
        value={draft.str(k) || fallback}
        disabled={field.disabled}
        onChange={(e) => draft.set(k, e.target.value)}
        data-testid={field.testId}
      >
        {options.map((o) => {
          const [value, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </Field>
  );
}
