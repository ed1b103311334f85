import { searchInputSchema, type SearchInput, type SearchMatch } from '../../../api/features/search';
import { fieldErrors, type FormIssue } from '../../ui/form-issues';

/** What the search form edits (text as typed); `toSearchInput` turns it into the contract's input. */
export interface SearchForm {
  kind: SearchMatch['kind'];
  text: string;
  path: string;
  jsonOp: 'equals' | 'contains';
  header: string;
  headerOp: 'exists' | 'equals' | 'contains';
  value: string;
  caseSensitive: boolean;
  fromSeq: string;
  toSeq: string;
  maxResults: string;
  maxScanned: string;
}

export const DEFAULT_SEARCH_FORM: SearchForm = {
  kind: 'text',
  text: '',
  path: '',
  jsonOp: 'equals',
  header: '',
  headerOp: 'equals',
  value: '',
  caseSensitive: false,
  fromSeq: '',
  toSeq: '',
  maxResults: '100',
  maxScanned: '1000000',
};

export type SearchField =
  'text' | 'path' | 'header' | 'value' | 'fromSeq' | 'toSeq' | 'maxResults' | 'maxScanned';

const num = (s: string) => (s.trim() === '' ? undefined : Number(s.replace(/[,_\s]/g, '')));

/** The criterion as the contract wants it: only the fields of the chosen kind. */
function toMatch(f: SearchForm): SearchMatch {
  const cs = { caseSensitive: f.caseSensitive };
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
  const raw: Record<string, unknown> = { stream, match: toMatch(f) };
  const put = (k: string, v: unknown) => {
    if (v !== undefined) raw[k] = v;
  };
  put('fromSeq', num(f.fromSeq));
  put('toSeq', num(f.toSeq));
  put('subject', subject.trim() || undefined);
  put('maxResults', num(f.maxResults));
  put('maxScanned', num(f.maxScanned));
  const r = searchInputSchema.safeParse(raw);
  if (r.success) return { input: raw as SearchInput };
  return { errors: searchFieldErrors(r.error.issues) };
}

/** Maps contract issues (local or from the server's invalid_input) to the form's fields. */
export function searchFieldErrors(issues: readonly FormIssue[]): Partial<Record<SearchField, string>> {
  return fieldErrors<SearchField>(issues, (path) => {
    const [a, b] = path;
    if (a === 'match') {
      if (b === 'text' || b === 'path' || b === 'value') return b;
      if (b === 'name') return 'header';
      return undefined;
    }
    if (a === 'fromSeq' || a === 'toSeq' || a === 'maxResults' || a === 'maxScanned') return a;
    return undefined;
  });
}
