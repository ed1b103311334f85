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

/** One message read once for every criterion: its text and its parsed JSON, each decoded on first use. */
class Read {
  private t?: string;
  private parsed?: { ok: true; doc: unknown } | { ok: false };
  constructor(readonly m: RawMsg) {}
  text(): string {
    return (this.t ??= td.decode(this.m.data));
  }
  json(): { ok: true; doc: unknown } | { ok: false } {
    if (!this.parsed) {
      try {
        this.parsed = { ok: true, doc: JSON.parse(this.text()) as unknown };
      } catch {
        this.parsed = { ok: false };
      }
    }
    return this.parsed;
  }
}
type Test = (r: Read) => Verdict;

/** Cheapest first: headers need no decoding, text one decode, JSON a parse (shared by every JSON criterion). */
const COST: Record<Match['kind'], number> = { header: 0, text: 1, json: 2 };

/**
 * The test for all criteria at once (AND): a message matches when every one does; its excerpt
 * joins theirs in the order given. Tests run cheapest first and stop at the first miss.
 */
export function matcherForAll(matches: readonly Match[]): Matcher {
  const tests = matches.map((m, i) => ({ i, cost: COST[m.kind], test: testFor(m) }));
  const order = [...tests].sort((a, b) => a.cost - b.cost);
  return (m) => {
    const r = new Read(m);
    const excerpts: string[] = new Array<string>(tests.length);
    for (const t of order) {
      const v = t.test(r);
      if (v.excerpt === undefined) return v.notJson ? { notJson: true } : {};
      excerpts[t.i] = v.excerpt;
    }
    return { excerpt: excerpts.length === 1 ? excerpts[0] : excerpts.join(' · ') };
  };
}

const EXCERPT = 160;
const td = new TextDecoder();

/** Builds the test for one search criterion (the path is parsed once, not per message). */
export function matcherFor(match: Match): Matcher {
  return matcherForAll([match]);
}

function testFor(match: Match): Test {
  const fold = (s: string) => (match.caseSensitive ? s : s.toLowerCase());
  switch (match.kind) {
    case 'text': {
      const needle = fold(match.text);
      return (r) => {
        const text = r.text();
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
      return (r) => {
        const parsed = r.json();
        if (!parsed.ok) return { notJson: true };
        const values = valuesAt(parsed.doc, steps);
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
      return ({ m }) => {
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
