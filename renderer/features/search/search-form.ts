import { searchInputSchema, type SearchInput, type SearchMatch } from '../../../api/features/search';
import { fieldErrors, type FormIssue } from '../../ui/form-issues';

/** One criterion as typed; only the fields of its kind are sent. */
export interface CriterionForm {
  kind: SearchMatch['kind'];
  text: string;
  path: string;
  jsonOp: 'equals' | 'contains';
  header: string;
  headerOp: 'exists' | 'equals' | 'contains';
  value: string;
}

/** What the search form edits (text as typed); `toSearchInput` turns it into the contract's input. */
export interface SearchForm {
  /** Every one must hold (AND); at least one. */
  criteria: CriterionForm[];
  /** Applies to every criterion. */
  caseSensitive: boolean;
  /** The range is given by sequence or by time (only the chosen pair is sent). */
  rangeKind: 'seq' | 'time';
  fromSeq: string;
  toSeq: string;
  /** datetime-local text (local time). */
  fromTime: string;
  toTime: string;
  maxResults: string;
  maxScanned: string;
}

export const EMPTY_CRITERION: CriterionForm = {
  kind: 'text',
  text: '',
  path: '',
  jsonOp: 'equals',
  header: '',
  headerOp: 'equals',
  value: '',
};

export const DEFAULT_SEARCH_FORM: SearchForm = {
  criteria: [EMPTY_CRITERION],
  caseSensitive: false,
  rangeKind: 'seq',
  fromSeq: '',
  toSeq: '',
  fromTime: '',
  toTime: '',
  maxResults: '100',
  maxScanned: '1000000',
};

export type CriterionField = 'text' | 'path' | 'header' | 'value';
type RangeField = 'fromSeq' | 'toSeq' | 'fromTime' | 'toTime' | 'maxResults' | 'maxScanned';
/** A criterion's field is named plainly for the first one, `<field>-<n>` for the n-th after it. */
export type SearchField = RangeField | CriterionField | `${CriterionField}-${number}`;
export const criterionField = (f: CriterionField, i: number): SearchField => (i === 0 ? f : `${f}-${i}`);

/** datetime-local text (local time) to ISO; text that is not a time goes as is, for the schema to refuse. */
const iso = (s: string) => {
  if (!s.trim()) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? s : new Date(ms).toISOString();
};
const num = (s: string) => (s.trim() === '' ? undefined : Number(s.replace(/[,_\s]/g, '')));

/** The criterion as the contract wants it: only the fields of the chosen kind. */
function toMatch(f: CriterionForm, caseSensitive: boolean): SearchMatch {
  const cs = { caseSensitive };
  if (f.kind === 'text') return { kind: 'text', text: f.text, ...cs };
  if (f.kind === 'json') return { kind: 'json', path: f.path.trim(), op: f.jsonOp, value: f.value, ...cs };
  return {
    kind: 'header',
    name: f.header.trim(),
    op: f.headerOp,
    ...(f.headerOp === 'exists' ? {} : { value: f.value }),
    ...cs,
  };
}

/** Checks the form with the contract's schema; each issue lands on the field showing it. */
export function toSearchInput(
  f: SearchForm,
  stream: string,
  subject: string,
):
  | { input: SearchInput; errors?: undefined }
  | { input?: undefined; errors: Partial<Record<SearchField, string>> } {
  const matches = f.criteria.map((c) => toMatch(c, f.caseSensitive));
  // One criterion goes as `match`, as scripts write it; several as `matches` (all must hold).
  const raw: Record<string, unknown> =
    matches.length === 1 ? { stream, match: matches[0] } : { stream, matches };
  const put = (k: string, v: unknown) => {
    if (v !== undefined) raw[k] = v;
  };
  if (f.rangeKind === 'seq') {
    put('fromSeq', num(f.fromSeq));
    put('toSeq', num(f.toSeq));
  } else {
    put('fromTime', iso(f.fromTime));
    put('toTime', iso(f.toTime));
  }
  put('subject', subject.trim() || undefined);
  put('maxResults', num(f.maxResults));
  put('maxScanned', num(f.maxScanned));
  const r = searchInputSchema.safeParse(raw);
  if (r.success) return { input: raw as SearchInput };
  return { errors: searchFieldErrors(r.error.issues) };
}

const criterionFieldOf = (key: PropertyKey | undefined): CriterionField | undefined =>
  key === 'text' || key === 'path' || key === 'value' ? key : key === 'name' ? 'header' : undefined;

/** Maps contract issues (local or from the server's invalid_input) to the form's fields. */
export function searchFieldErrors(issues: readonly FormIssue[]): Partial<Record<SearchField, string>> {
  return fieldErrors<SearchField>(issues, (path) => {
    const [a, b, c] = path;
    if (a === 'match') {
      const f = criterionFieldOf(b);
      return f && criterionField(f, 0);
    }
    if (a === 'matches' && typeof b === 'number') {
      const f = criterionFieldOf(c);
      return f && criterionField(f, b);
    }
    if (
      a === 'fromSeq' ||
      a === 'toSeq' ||
      a === 'fromTime' ||
      a === 'toTime' ||
      a === 'maxResults' ||
      a === 'maxScanned'
    )
      return a;
    return undefined;
  });
}
