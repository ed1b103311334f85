import { useMemo, useState } from 'react';
import type { z } from 'zod';
import { issuesByField, withField, type Config } from './config-form';

/**
 * The editable draft behind the stream and consumer editors: the config, its zod check, and
 * the small accessors the form fields use. `onEdit` runs on every field change (the stream
 * editor drops a stale server diff there).
 */
export function useConfigDraft(schema: z.ZodType, initial: Config, onEdit?: () => void) {
  const [config, setConfig] = useState<Config>(initial);
  const [jsonError, setJsonError] = useState<string>();
  const [submitted, setSubmitted] = useState(false);
  const check = useMemo(() => schema.safeParse(config), [schema, config]);
  const issues = check.success ? undefined : issuesByField(check.error);
  return {
    config,
    setConfig,
    jsonError,
    setJsonError,
    submitted,
    setSubmitted,
    issues,
    /** Whether the draft can be sent: valid JSON and a passing check. */
    valid: !jsonError && check.success,
    err: (k: string) => (submitted ? issues?.byField[k] : undefined),
    set: (k: string, v: unknown) => {
      setConfig((c) => withField(c, k, v));
      onEdit?.();
    },
    str: (k: string) => (typeof config[k] === 'string' ? (config[k] as string) : ''),
    num: (k: string) => (typeof config[k] === 'number' ? String(config[k]) : ''),
    /** What ConfigEditorModal takes of the draft (issues once a submit was tried). */
    editorProps: { config, setConfig, setJsonError, issues: submitted ? issues?.all : undefined },
  };
}
