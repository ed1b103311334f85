/** A zod issue as the form sees it: from a local `safeParse` or from the server's invalid_input detail. */
export interface FormIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** Field → message; a form keyed by free strings gets a plain record. */
export type FieldMessages<F extends string> = string extends F
  ? Record<string, string>
  : Partial<Record<F, string>>;

/**
 * The first message per form field. `fieldOf` maps an issue's path to the field showing it;
 * `text` may prefix where in the field (a line, a header name).
 */
export function fieldErrors<F extends string>(
  issues: readonly FormIssue[],
  fieldOf: (path: readonly PropertyKey[]) => F | undefined,
  text: (issue: FormIssue) => string = (i) => i.message,
): FieldMessages<F> {
  const errors: Record<string, string> = {};
  for (const i of issues) {
    const field = fieldOf(i.path);
    if (field !== undefined) errors[field] ??= text(i);
  }
  return errors as FieldMessages<F>;
}

/** The zod issues an invalid_input error carries in its detail (none for other errors). */
export function serverIssues(detail: unknown): FormIssue[] {
  const issues = (detail as { issues?: { path?: PropertyKey[]; message?: string }[] } | undefined)?.issues;
  return (issues ?? []).flatMap((i) => (i.path && i.message ? [{ path: i.path, message: i.message }] : []));
}
