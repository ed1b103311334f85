import { ApiError } from '../../api/errors';

/**
 * Subject mapping for replay targets: `from` "tasks.>" with `to` "replayed.>" maps
 * tasks.new → replayed.new; the n-th "*" in `to` takes the token the n-th "*" of `from`
 * matched; a `to` without wildcards is used as is.
 */
export class SubjectMapper {
  private readonly from: string[];
  private readonly to: string[];
  private readonly literal: boolean;

  constructor(from: string, to: string) {
    this.from = from.split('.');
    this.to = to.split('.');
    this.literal = !this.to.some((t) => t === '*' || t === '>');
    const stars = (ts: string[]) => ts.filter((t) => t === '*').length;
    if (!this.literal) {
      if (stars(this.to) > stars(this.from)) {
        throw new ApiError('invalid_input', `target "${to}" uses more "*" than the source pattern "${from}"`);
      }
      if (this.to.includes('>') && !this.from.includes('>')) {
        throw new ApiError(
          'invalid_input',
          `target "${to}" ends with ">" but the source pattern "${from}" does not`,
        );
      }
    }
  }

  /** The target subject, or undefined when `subject` does not match the source pattern. */
  map(subject: string): string | undefined {
    const tokens = subject.split('.');
    const stars: string[] = [];
    let rest: string[] = [];
    for (let i = 0; i < this.from.length; i++) {
      const f = this.from[i];
      if (f === '>') {
        if (tokens.length <= i) return undefined;
        rest = tokens.slice(i);
        break;
      }
      if (i >= tokens.length) return undefined;
      if (f === '*') stars.push(tokens[i]);
      else if (f !== tokens[i]) return undefined;
      if (i === this.from.length - 1 && tokens.length !== this.from.length) return undefined;
    }
    if (this.literal) return this.to.join('.');
    let s = 0;
    const out: string[] = [];
    for (const t of this.to) {
      if (t === '*') out.push(stars[s++]);
      else if (t === '>') out.push(...rest);
      else out.push(t);
    }
    return out.join('.');
  }
}

/** NATS wildcard match of a concrete subject against a pattern. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const t = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length) return false;
    if (p[i] !== '*' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}
