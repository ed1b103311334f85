import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { placementTagsSchema } from '../../api/features/tasks';
import { autoReplicas, type Placement } from '../../nats/topology';
import { writeFileAtomic } from '../util/fs';

const settingsSchema = z.object({
  /** TASKS replicas when JetDeck creates it; absent: auto (3 on a cluster of 3 or more, else 1). */
  replicas: z.number().int().min(1).max(5).optional(),
  /** Placement tags TASKS is created with (servers tagged so, e.g. a region). */
  placementTags: placementTagsSchema.optional(),
});
export type TaskSettings = z.infer<typeof settingsSchema>;

/** What TASKS is created with, and how the replicas were chosen. */
export interface TasksLayout {
  replicas: number;
  choice: 'auto' | 'chosen';
  placement?: Placement;
}

export function layoutFor(
  s: TaskSettings,
  info?: { cluster?: string; connect_urls?: string[] },
): TasksLayout {
  return {
    replicas: s.replicas ?? autoReplicas(info),
    choice: s.replicas === undefined ? 'auto' : 'chosen',
    ...(s.placementTags?.length ? { placement: { tags: s.placementTags } } : {}),
  };
}

/** The task service's settings, in `<dataDir>/tasks.json`. A broken file falls back to defaults. */
export class TaskSettingsStore {
  private readonly file: string;
  private value: TaskSettings;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'tasks.json');
    this.value = this.load();
  }

  get(): TaskSettings {
    return { ...this.value };
  }

  update(patch: Partial<TaskSettings>): TaskSettings {
    this.value = settingsSchema.parse({ ...this.value, ...patch });
    writeFileAtomic(this.file, JSON.stringify(this.value, null, 2) + '\n', 0o600);
    return this.get();
  }

  private load(): TaskSettings {
    if (!existsSync(this.file)) return settingsSchema.parse({});
    try {
      return settingsSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch (err) {
      console.error(`[jetdeck] ignoring unreadable ${this.file}: ${(err as Error).message}`);
      return settingsSchema.parse({});
    }
  }
}
