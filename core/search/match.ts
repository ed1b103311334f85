import type { z } from 'zod';
import type { searchMatchSchema } from '../../api/features/search';
import { parseJsonPath, valuesAt } from '../../api/json-path';
import type { RawMsg } from '../messages/format';

type Match = z.output<typeof searchMatchSchema>;

/** What a test says about one message: the excerpt when it matched, and whether JSON failed to parse. */
export interface Verdict {
  excerpt?: string;
  notJson?: boolean;
}

export type Matcher = (m: RawMsg) => Verdict;

const EXCERPT = 160;
const td = new TextDecoder();

/** Builds the test for one search criterion (the path is parsed once, not per message). */
export function matcherFor(match: Match): Matcher {
  const fold = (s: string) => (match.caseSensitive ? s : s.toLowerCase());
  switch (match.kind) {
    case 'text': {
      const needle = fold(match.text);
      return (m) => {
        const text = td.decode(m.data);
        const at = fold(text).indexOf(needle);
        return at < 0 ? {} : { excerpt: around(text, at, match.text.length) };
      };
    }
    case 'json': {
      const steps = parseJsonPath(match.path);
      const want = match.value;
      let wantJson: string | undefined;
      try {
        wantJson = canonical(JSON.parse(want));
      } catch {
        wantJson = undefined;
      }
      const needle = fold(want);
      const test =
        match.op === 'equals'
          ? (v: unknown) =>
              typeof v === 'string'
                ? fold(v) === needle || (wantJson !== undefined && JSON.stringify(v) === wantJson)
                : wantJson !== undefined && canonical(v) === wantJson
          : (v: unknown) => fold(typeof v === 'string' ? v : JSON.stringify(v)).includes(needle);
      return (m) => {
        let doc: unknown;
        try {
          doc = JSON.parse(td.decode(m.data));
        } catch {
          return { notJson: true };
        }
        const values = valuesAt(doc, steps);
        const i = values.findIndex(test);
        return i < 0 ? {} : { excerpt: cut(`${match.path} = ${JSON.stringify(values[i])}`) };
      };
    }
    case 'header': {
      const name = match.name.toLowerCase();
      const needle = fold(match.value ?? '');
      const test =
        match.op === 'exists'
          ? () => true
          : match.op === 'equals'
            ? (v: string) => fold(v) === needle
            : (v: string) => fold(v).includes(needle);
      return (m) => {
        if (!m.headers) return {};
        for (const k of Object.keys(m.headers)) {
          if (k.toLowerCase() !== name) continue;
          const v = m.headers[k].find(test);
          if (v !== undefined) return { excerpt: cut(`${k}: ${v}`) };
        }
        return {};
      };
    }
  }
}

/** JSON text with object keys sorted, so `{"a":1,"b":2}` equals `{"b":2,"a":1}`. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );
}

function around(text: string, at: number, len: number): string {
  const pad = Math.max(0, Math.floor((EXCERPT - len) / 2));
  const from = Math.max(0, at - pad);
  const to = Math.min(text.length, at + len + pad);
  return `${from > 0 ? '…' : ''}${text.slice(from, to).replace(/\s+/g, ' ')}${to < text.length ? '…' : ''}`;
}

function cut(s: string): string {
  return s.length > EXCERPT ? `${s.slice(0, EXCERPT - 1)}…` : s;
}
