import { join } from 'node:path';
import type { HistoryRange, MonitorHistory } from '../../api/features/monitor';
import { HistoryFile, type Point } from './history-file';
import { BucketRollup, emptyFrame, SeriesIndex, SeriesRing, toFrame, type Frame } from './series-ring';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;
const RANGE_MS: Record<HistoryRange, number> = { '5m': 5 * MINUTE, '1h': HOUR, '24h': DAY };

/**
 * One connection profile's history: the last hour at full resolution and 24 h of 1-minute
 * averages in memory, persisted under `<dataDir>/monitor/<profileId>/` so it survives restarts.
 */
export class HistoryStore {
  private readonly index = new SeriesIndex();
  /** The frame each sample is converted into (reused: one per second). */
  private readonly frame = emptyFrame();
  private full: SeriesRing;
  private readonly minutes = new SeriesRing(24 * 60 + 1, this.index);
  private readonly rollup = new BucketRollup(MINUTE, this.index);
  private readonly fullFile: HistoryFile;
  private readonly minuteFile: HistoryFile;

  constructor(
    dataDir: string,
    readonly profileId: string,
    private intervalMs: number,
  ) {
    const dir = join(dataDir, 'monitor', safeName(profileId));
    this.full = new SeriesRing(capacityFor(intervalMs), this.index);
    this.fullFile = new HistoryFile(dir, 'full', HOUR, HOUR);
    this.minuteFile = new HistoryFile(dir, 'min', 6 * HOUR, DAY);
  }

  /** Loads what earlier sessions persisted. */
  load(now = Date.now()): void {
    for (const p of this.minuteFile.load(now - DAY)) this.minutes.push(toFrame(this.index, p.t, p.values));
    const lastBucket = this.minutes.lastTime;
    for (const p of this.fullFile.load(now - HOUR)) {
      const f = toFrame(this.index, p.t, p.values, this.frame);
      this.full.push(f);
      // Minutes that never finished before the restart are rebuilt from the full-resolution points.
      if (lastBucket === undefined || p.t >= lastBucket + MINUTE) this.rollUp(f);
    }
  }

  private rollUp(f: Frame): void {
    const bucket = this.rollup.add(f);
    if (bucket) {
      const b = toFrame(this.index, bucket.t, bucket.values);
      this.minutes.push(b);
      this.minuteFile.add(b, this.index);
    }
  }

  add(p: Point): void {
    const f = toFrame(this.index, p.t, p.values, this.frame);
    this.full.push(f);
    this.fullFile.add(f, this.index);
    this.rollUp(f);
  }

  /** A new sample interval needs a ring sized for an hour of it; existing points move over. */
  setInterval(intervalMs: number): void {
    if (intervalMs === this.intervalMs) return;
    this.intervalMs = intervalMs;
    const next = new SeriesRing(capacityFor(intervalMs), this.index);
    for (const f of this.full.entries()) next.push(f);
    this.full = next;
  }

  flush(): void {
    this.fullFile.flush();
    this.minuteFile.flush();
  }

  query(range: HistoryRange, series?: string[], now = Date.now()): MonitorHistory {
    const match = matcher(series);
    const from = now - RANGE_MS[range];
    if (range !== '24h') {
      const { t, series: s } = this.full.query(from, match);
      return { profileId: this.profileId, range, resolutionMs: this.intervalMs, t, series: s };
    }
    const q = this.minutes.query(from, match);
    const partial = this.rollup.current();
    if (partial && (q.t.length === 0 || partial.t > q.t[q.t.length - 1])) {
      q.t.push(partial.t);
      const keys = new Set([...Object.keys(q.series), ...Object.keys(partial.values).filter(match)]);
      for (const k of keys) {
        const col = (q.series[k] ??= new Array<number | null>(q.t.length - 1).fill(null));
        col.push(partial.values[k] ?? null);
      }
    }
    return { profileId: this.profileId, range, resolutionMs: MINUTE, t: q.t, series: q.series };
  }
}

function capacityFor(intervalMs: number): number {
  return Math.ceil(HOUR / intervalMs) + 2;
}

function matcher(series?: string[]): (key: string) => boolean {
  if (!series || series.length === 0) return () => true;
  const exact = new Set(series);
  return (k) => exact.has(k) || series.some((p) => k.startsWith(p));
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
