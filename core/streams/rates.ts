import { randomUUID } from 'node:crypto';
import type { StreamInfo } from '@nats-io/jetstream';
import type { Core } from '../core';

export const RATE_INTERVAL_MS = 3000;
const MAX_POINTS = 60;
const DEFAULT_TTL_MS = 60_000;

/**
 * Message-rate sparklines: while at least one watch lease is alive, samples every stream's
 * last sequence each RATE_INTERVAL_MS (STREAM.LIST pages) and keeps the last ~60 rates per
 * stream. Leases expire unless renewed so a vanished UI stops the sampling.
 */
export class RateSampler {
  private readonly leases = new Map<string, number>();
  private readonly points = new Map<string, number[]>();
  private readonly lastSeen = new Map<string, { seq: number; at: number }>();
  private timer?: NodeJS.Timeout;
  private sampling = false;

  constructor(private readonly core: Core) {}

  watch(
    watchId: string | undefined,
    ttlMs = DEFAULT_TTL_MS,
  ): { watchId: string; expiresAt: number; intervalMs: number } {
    const id = watchId && this.leases.has(watchId) ? watchId : randomUUID();
    const expiresAt = Date.now() + ttlMs;
    this.leases.set(id, expiresAt);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), RATE_INTERVAL_MS);
      this.timer.unref();
      void this.tick();
    }
    return { watchId: id, expiresAt, intervalMs: RATE_INTERVAL_MS };
  }

  unwatch(watchId: string): boolean {
    const had = this.leases.delete(watchId);
    if (this.leases.size === 0) this.stop();
    return had;
  }

  rate(stream: string): number[] {
    return this.points.get(stream) ?? [];
  }

  /** Feeds a sample from any listing (streams.list reuses its STREAM.LIST result). */
  record(infos: StreamInfo[], at = Date.now()): Record<string, number> {
    const latest: Record<string, number> = {};
    const present = new Set<string>();
    for (const si of infos) {
      const name = si.config.name;
      present.add(name);
      const prev = this.lastSeen.get(name);
      const seq = si.state.last_seq;
      this.lastSeen.set(name, { seq, at });
      if (!prev || at - prev.at < RATE_INTERVAL_MS / 2) continue;
      const r = Math.max(0, ((seq - prev.seq) * 1000) / (at - prev.at));
      const pts = this.points.get(name) ?? [];
      pts.push(Math.round(r * 10) / 10);
      if (pts.length > MAX_POINTS) pts.splice(0, pts.length - MAX_POINTS);
      this.points.set(name, pts);
      latest[name] = pts[pts.length - 1];
    }
    for (const name of this.lastSeen.keys()) {
      if (!present.has(name)) {
        this.lastSeen.delete(name);
        this.points.delete(name);
      }
    }
    return latest;
  }

  get watching(): boolean {
    return this.leases.size > 0;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  reset(): void {
    this.points.clear();
    this.lastSeen.clear();
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    for (const [id, exp] of this.leases) if (exp <= now) this.leases.delete(id);
    if (this.leases.size === 0) return this.stop();
    const conn = this.core.connections.connection;
    if (!conn || this.sampling) return;
    this.sampling = true;
    try {
      const jsm = await conn.jsm();
      const infos: StreamInfo[] = [];
      for await (const si of jsm.streams.list()) infos.push(si);
      const rates = this.record(infos);
      this.core.bus.emit('streams.rates', { at: Date.now(), intervalMs: RATE_INTERVAL_MS, rates });
    } catch {
      /* a failed sample leaves a gap; connection problems are reported by the connection status */
    } finally {
      this.sampling = false;
    }
  }
}
