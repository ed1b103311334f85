import { isAbsolute } from 'node:path';
import { z } from 'zod';

/**
 * Endpoints passed by environment (the e2e fixture uses these to give every launch its own data
 * folder and NATS server). Validated here so a typo fails loudly instead of silently using the
 * user's real profile.
 */
const launchEnvSchema = z.object({
  JETDECK_DATA_DIR: z
    .string()
    .min(1)
    .refine((p) => isAbsolute(p), 'JETDECK_DATA_DIR must be an absolute path')
    .optional(),
  JETDECK_NATS_URL: z
    .string()
    .min(1)
    .refine(
      (list) => list.split(',').every((u) => /^((nats|tls|ws|wss):\/\/)?[^\s/]+(:\d+)?$/.test(u.trim())),
      'JETDECK_NATS_URL must be a comma-separated list of nats://host:port URLs',
    )
    .optional(),
});

export interface LaunchOptions {
  dataDir?: string;
  natsUrl?: string;
}

export function launchOptionsFromEnv(env: NodeJS.ProcessEnv): LaunchOptions {
  const parsed = launchEnvSchema.safeParse({
    JETDECK_DATA_DIR: env.JETDECK_DATA_DIR || undefined,
    JETDECK_NATS_URL: env.JETDECK_NATS_URL || undefined,
  });
  if (!parsed.success) {
    throw new Error(`invalid launch environment: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return { dataDir: parsed.data.JETDECK_DATA_DIR, natsUrl: parsed.data.JETDECK_NATS_URL };
}
