import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface Point {
  t: number;
  values: Record<string, number>;
}

/**
 * Append-only NDJSON of samples with sparse encoding, so idle series cost nothing on disk:
 * a line is either `{"k":[new keys…]}` (extends this file's key dictionary) or
 * `[t, i, v, i, v, …]` with only the values that changed since the previous line (v null =
 * the series has no value any more). A file is rotated after `rotateMs`, and files older than
 * `keepMs` are deleted; every file starts with a fresh dictionary, so files read independently.
 */
export class HistoryFile {
  private file?: {
    path: string;
    start: number;
    stamp: number;
    keys: Map<string, { i: number; last: number; stamp: number }>;
  };
  private pending: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly rotateMs: number,
    private readonly keepMs: number,
  ) {}

  /** Encodes one point into the pending buffer (written by flush). */
  add(p: Point): void {
    if (!this.file || p.t - this.file.start >= this.rotateMs) {
      this.file = {
        path: join(this.dir, `${this.prefix}-${Math.round(p.t)}.ndjson`),
        start: p.t,
        stamp: 0,
        keys: new Map(),
      };
    }
    const f = this.file;
    const newKeys: string[] = [];
    const line: (number | null)[] = [Math.round(p.t)];
    const stamp = ++f.stamp;
    for (const k in p.values) {
      let e = f.keys.get(k);
      if (!e) {
        e = { i: f.keys.size, last: NaN, stamp };
        f.keys.set(k, e);
        newKeys.push(k);
      }
      e.stamp = stamp;
      const v = round(p.values[k]);
      if (e.last !== v) {
        e.last = v;
        line.push(e.i, v);
      }
    }
    // Series gone since the previous line are written as null once.
    for (const e of f.keys.values()) {
      if (e.stamp !== stamp && !Number.isNaN(e.last)) {
        e.last = NaN;
        line.push(e.i, null);
      }
    }
    if (newKeys.length) this.pending.push(`${this.file.path}\n${JSON.stringify({ k: newKeys })}`);
    this.pending.push(`${this.file.path}\n${JSON.stringify(line)}`);
  }

  /** Writes pending lines and drops expired files. Synchronous: also runs on dispose. */
  flush(now = Date.now()): void {
    if (this.pending.length === 0) return;
    mkdirSync(this.dir, { recursive: true });
    const byFile = new Map<string, string[]>();
    for (const entry of this.pending) {
      const nl = entry.indexOf('\n');
      const path = entry.slice(0, nl);
      let lines = byFile.get(path);
      if (!lines) byFile.set(path, (lines = []));
      lines.push(entry.slice(nl + 1));
    }
    this.pending = [];
    for (const [path, lines] of byFile) appendFileSync(path, lines.join('\n') + '\n');
    for (const f of this.files())
      if (now - f.start > this.keepMs + this.rotateMs) rmSync(f.path, { force: true });
  }

  /** Every stored point with t ≥ from, oldest first. A torn last line (crash) is skipped. */
  load(from: number): Point[] {
    const out: Point[] = [];
    for (const f of this.files().sort((a, b) => a.start - b.start)) {
      if (f.start + this.rotateMs < from) continue;
      const keys: string[] = [];
      const current = new Map<string, number>();
      for (const text of readFileSync(f.path, 'utf8').split('\n')) {
        if (!text) continue;
        let row: unknown;
        try {
          row = JSON.parse(text);
        } catch {
          continue;
        }
        if (Array.isArray(row)) {
          for (let n = 1; n + 1 < row.length; n += 2) {
            const key = keys[row[n] as number];
            if (key === undefined) continue;
            if (row[n + 1] === null) current.delete(key);
            else current.set(key, row[n + 1] as number);
          }
          const t = row[0] as number;
          if (t >= from) out.push({ t, values: Object.fromEntries(current) });
        } else if (row && typeof row === 'object' && Array.isArray((row as { k?: unknown }).k)) {
          keys.push(...(row as { k: string[] }).k);
        }
      }
    }
    return out;
  }

  private files(): { path: string; start: number }[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const re = new RegExp(`^${this.prefix}-(\\d+)\\.ndjson$`);
    return names.flatMap((n) => {
      const m = re.exec(n);
      return m ? [{ path: join(this.dir, n), start: Number(m[1]) }] : [];
    });
  }
}

/** Enough precision for charts; keeps lines short and makes "unchanged" detectable. */
function round(v: number): number {
  return Math.abs(v) >= 1000 ? Math.round(v) : Math.round(v * 1000) / 1000;
}
