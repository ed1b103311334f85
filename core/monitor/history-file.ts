import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, SeriesIndex } from './series-ring';

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
    /** Global slot → this file's key number, and the global slots in that order. */
    local: number[];
    order: number[];
    /** Last value written per global slot (NaN = none), and the line that last carried it. */
    last: number[];
    stamp: number[];
    lines: number;
  };
  private pending: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly rotateMs: number,
    private readonly keepMs: number,
  ) {}

  /** Encodes one sample (slots of `index`) into the pending buffer (written by flush). */
  add(p: Frame, index: SeriesIndex): void {
    if (!this.file || p.t - this.file.start >= this.rotateMs) {
      this.file = {
        path: join(this.dir, `${this.prefix}-${Math.round(p.t)}.ndjson`),
        start: p.t,
        local: [],
        order: [],
        last: [],
        stamp: [],
        lines: 0,
      };
    }
    const f = this.file;
    const newKeys: string[] = [];
    const line: (number | null)[] = [Math.round(p.t)];
    const stamp = ++f.lines;
    for (let n = 0; n < p.count; n++) {
      const s = p.slots[n];
      let i = f.local[s];
      if (i === undefined) {
        i = f.local[s] = f.order.length;
        f.order.push(s);
        f.last[s] = NaN;
        newKeys.push(index.keys[s]);
      }
      f.stamp[s] = stamp;
      const v = round(p.values[n]);
      if (f.last[s] !== v) {
        f.last[s] = v;
        line.push(i, v);
      }
    }
    // Series gone since the previous line are written as null once.
    for (const s of f.order) {
      if (f.stamp[s] !== stamp && !Number.isNaN(f.last[s])) {
        f.last[s] = NaN;
        line.push(f.local[s], null);
      }
    }
    if (newKeys.length) this.pending.push(`${f.path}\n${JSON.stringify({ k: newKeys })}`);
    this.pending.push(`${f.path}\n${JSON.stringify(line)}`);
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
