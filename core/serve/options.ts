import { z } from 'zod';
import { isLoopbackHost, tokenWeakness } from './auth';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../api/serve-defaults';

export const serveOptionsSchema = z.object({
  host: z.string().trim().min(1, 'host is required').default(DEFAULT_HOST),
  port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
  token: z
    .string()
    .max(512)
    .regex(/^[\x21-\x7e]+$/, 'token must be printable ASCII without spaces')
    .superRefine((t, ctx) => {
      const weak = tokenWeakness(t);
      if (weak) ctx.addIssue({ code: 'custom', message: weak });
    })
    .optional(),
  uiDir: z.string().min(1).optional(),
  /** Extra origins allowed to open the WebSocket (e.g. a renderer dev server). */
  extraOrigins: z.array(z.string().url()).default([]),
  /** Host header names accepted besides loopback and the bound host (`--allow-host`). */
  allowHosts: z.array(z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or address')).default([]),
  /** Backpressure tuning for slow WebSocket clients (see ws-bridge.ts). */
  wsMaxBufferedBytes: z.number().int().positive().optional(),
  wsStallMs: z.number().int().positive().optional(),
  /** Most a socket may leave unread, replies included, before it is dropped. */
  wsMaxSocketBytes: z.number().int().positive().optional(),
});
export type ServeOptions = z.input<typeof serveOptionsSchema>;

/** A startup failure the CLI prints as-is and exits with `exitCode`. */
export class ServeError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'ServeError';
  }
}

/**
 * Validates the options and refuses a non-loopback bind without an explicit token. The CLI
 * calls it before creating the core, so a refused start has no side effects.
 */
export function resolveServeOptions(options: ServeOptions): z.output<typeof serveOptionsSchema> {
  const parsed = serveOptionsSchema.safeParse(options);
  if (!parsed.success)
    throw new ServeError(
      `invalid serve options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`,
      2,
    );
  const opts = parsed.data;
  if (!isLoopbackHost(opts.host) && !opts.token) {
    throw new ServeError(
      `Refusing to listen on ${opts.host} without an explicit token: anyone who can reach that address ` +
        `could drive your NATS servers. Pass --token T (or set JETDECK_TOKEN), or keep --host 127.0.0.1.`,
      2,
    );
  }
  return opts;
}
