import { randomUUID } from 'node:crypto';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import {
  searchCriteria,
  type searchInputSchema,
  type SearchEnd,
  type SearchHit,
  type SearchProgress,
} from '../../api/features/search';
import type { EventBus } from '../events';
import { toBrowsed } from '../messages/format';
import { readSource, type ResolvedSource } from '../replay/source';
import { matcherForAll } from './match';

export type SearchSpec = z.output<typeof searchInputSchema>;
type RangeSource = Extract<ResolvedSource, { kind: 'range' }>;

const PROGRESS_MS = 250;

/**
 * One search: reads a fixed range in sequence order (ordered consumer on Limits streams,
 * message get elsewhere, batches of a few thousand, the next read while this one is tested),
 * keeps at most `maxResults` hits and emits them once each with batched progress.
 */
export class SearchJob {
  readonly id = randomUUID();
  readonly hits: SearchHit[] = [];
  readonly finished: Promise<SearchProgress>;
  private readonly progress: SearchProgress;
  /** Hits found since the last progress event. */
  private unsent: SearchHit[] = [];
  private cancelled = false;
  private timer?: NodeJS.Timeout;
  private lastTick: { at: number; scanned: number };
  private resolveFinished!: (p: SearchProgress) => void;

  constructor(
    private readonly bus: EventBus,
    private readonly spec: SearchSpec,
    private readonly src: RangeSource,
    method: SearchProgress['method'],
  ) {
    const now = Date.now();
    this.progress = {
      searchId: this.id,
      stream: src.stream,
      state: 'running',
      done: false,
      fromSeq: src.from,
      toSeq: src.to,
      position: src.from - 1,
      scanned: 0,
      matched: 0,
      notJson: 0,
      rate: 0,
      startedAt: now,
      durationMs: 0,
      maxResults: spec.maxResults,
      maxScanned: spec.maxScanned,
      method,
    };
    this.lastTick = { at: now, scanned: 0 };
    this.finished = new Promise((r) => (this.resolveFinished = r));
  }

  get done(): boolean {
    return this.progress.done;
  }

  cancel(): void {
    this.cancelled = true;
  }

  snapshot(): SearchProgress {
    const p = this.progress;
    return { ...p, durationMs: p.done ? p.durationMs : Date.now() - p.startedAt };
  }

  /** Runs in the background until the range ends, a cap is reached, or it is cancelled. */
  run(nc: NatsConnection, jsm: JetStreamManager): void {
    this.timer = setInterval(() => this.emit(), PROGRESS_MS);
    this.timer.unref();
    this.scan(nc, jsm).then(
      (end) => this.finish(end),
      (err: unknown) => this.finish('error', (err as Error).message),
    );
  }

  private async scan(nc: NatsConnection, jsm: JetStreamManager): Promise<SearchEnd> {
    const { maxResults, maxScanned, previewBytes } = this.spec;
    const test = matcherForAll(searchCriteria(this.spec));
    const p = this.progress;
    if (this.src.from > this.src.to) return 'range_end';
    // Leaving the loop early returns the generator, which closes its cursor (and consumer).
    for await (const batch of readSource(nc, jsm, this.src)) {
      for (const m of batch) {
        if (this.cancelled) return 'cancelled';
        p.scanned++;
        p.position = m.seq;
        const v = test(m);
        if (v.notJson) p.notJson++;
        if (v.excerpt !== undefined) {
          const hit = { message: toBrowsed(m, previewBytes), excerpt: v.excerpt };
          this.hits.push(hit);
          this.unsent.push(hit);
          p.matched++;
          if (p.matched >= maxResults) return 'max_results';
        }
        if (p.scanned >= maxScanned) return 'max_scanned';
      }
      if (this.cancelled) return 'cancelled';
    }
    p.position = this.src.to;
    return 'range_end';
  }

  private emit(): void {
    const now = Date.now();
    const p = this.progress;
    const dt = now - this.lastTick.at;
    if (dt > 0) p.rate = Math.round(((p.scanned - this.lastTick.scanned) * 1000) / dt);
    this.lastTick = { at: now, scanned: p.scanned };
    p.durationMs = now - p.startedAt;
    const hits = this.unsent;
    this.unsent = [];
    this.bus.emit('search.progress', { ...this.snapshot(), hits });
  }

  private finish(end: SearchEnd, error?: string): void {
    if (this.timer) clearInterval(this.timer);
    const p = this.progress;
    p.end = end;
    p.state = end === 'error' ? 'failed' : end === 'cancelled' ? 'cancelled' : 'done';
    if (error) p.error = error;
    p.done = true;
    p.durationMs = Date.now() - p.startedAt;
    p.rate = p.durationMs > 0 ? Math.round((p.scanned * 1000) / p.durationMs) : p.scanned;
    const hits = this.unsent;
    this.unsent = [];
    this.bus.emit('search.progress', { ...this.snapshot(), hits });
    this.resolveFinished(this.snapshot());
  }
}
