import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type configSetSchema, thresholdsSchema, type MonitorConfig } from '../../api/features/monitor';
import { writeFileAtomic } from '../util/fs';

export const DEFAULT_CONFIG: MonitorConfig = {
  intervalMs: 1000,
  notifications: 'crit',
  thresholds: {
    consumer: {
      maxPending: { warn: 1000, crit: 10_000 },
      maxAckPending: { warn: 1000, crit: 5000 },
      maxRedelivered: { warn: 10, crit: 100 },
      lastAckAgeSec: { warn: 60, crit: 300 },
    },
    stream: {
      msgsRatio: { warn: 0.8, crit: 0.95 },
      bytesRatio: { warn: 0.8, crit: 0.95 },
      replicaLag: { warn: 1000, crit: 10_000 },
    },
    overrides: {},
  },
};

const fileSchema = z.object({
  intervalMs: z.number().int().min(250).max(60_000),
  notifications: z.enum(['off', 'crit', 'warn+']),
  thresholds: thresholdsSchema,
});

/** Interval, thresholds (defaults + per-object overrides) and notifications in `<dataDir>/monitor/config.json`. */
export class MonitorConfigStore {
  private readonly path: string;
  private config: MonitorConfig;
  private readonly listeners = new Set<(c: MonitorConfig) => void>();

  constructor(dataDir: string) {
    this.path = join(dataDir, 'monitor', 'config.json');
    this.config = this.read();
  }

  get(): MonitorConfig {
    return structuredClone(this.config);
  }

  /** The live config without a copy, for the per-sample hot path; never mutate it. */
  current(): Readonly<MonitorConfig> {
    return this.config;
  }

  /** Merges a partial update; overrides given replace the whole override map. */
  set(update: z.output<typeof configSetSchema>): MonitorConfig {
    const t = this.config.thresholds;
    const next: MonitorConfig = {
      intervalMs: update.intervalMs ?? this.config.intervalMs,
      notifications: update.notifications ?? this.config.notifications,
      thresholds: {
        consumer: { ...t.consumer, ...update.thresholds?.consumer },
        stream: { ...t.stream, ...update.thresholds?.stream },
        overrides: update.thresholds?.overrides ?? t.overrides,
      },
    };
    this.config = fileSchema.parse(next);
    writeFileAtomic(this.path, JSON.stringify(this.config, null, 2));
    for (const l of this.listeners) l(this.get());
    return this.get();
  }

  onChange(fn: (c: MonitorConfig) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private read(): MonitorConfig {
    if (!existsSync(this.path)) return structuredClone(DEFAULT_CONFIG);
    try {
      return fileSchema.parse(JSON.parse(readFileSync(this.path, 'utf8')));
    } catch (err) {
      console.error(`[jetdeck] ignoring invalid ${this.path}: ${(err as Error).message}`);
      return structuredClone(DEFAULT_CONFIG);
    }
  }
}
