import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/fs';

const settingsSchema = z.object({
  /** TASKS stream replicas when JetDeck creates or updates it (3 on clusters when asked). */
  replicas: z.number().int().min(1).max(5).default(1),
});
export type TaskSettings = z.infer<typeof settingsSchema>;

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
