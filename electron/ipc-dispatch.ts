import { z } from 'zod';
import type { CallResult } from '../api/client';
import { ApiError } from '../api/errors';
import type { CallContext, Router } from '../core/router';

/**
 * The plain-Node half of the IPC transport (no electron import, so tests drive it directly):
 * a refused sender gets `unauthorized`, a malformed call `invalid_input`, anything else goes
 * to the router, which validates the input with the contract's schema.
 */
const callArgsSchema = z.tuple([z.string().min(1).max(200), z.unknown()]);

export async function dispatchIpcCall(
  router: Router,
  refusal: string | undefined,
  args: unknown[],
  /** What the caller adds to the call context (e.g. the window that owns what it starts). */
  context: Omit<CallContext, 'transport'> = {},
): Promise<CallResult> {
  if (refusal) {
    console.warn(`[jetdeck] refused IPC call: ${refusal}`);
    return { ok: false, error: new ApiError('unauthorized', refusal).toEnvelope() };
  }
  const parsed = callArgsSchema.safeParse(args);
  if (!parsed.success) {
    return {
      ok: false,
      error: new ApiError('invalid_input', 'an IPC call is (method: string, input)').toEnvelope(),
    };
  }
  const [method, input] = parsed.data;
  return router.dispatch(method, input, { ...context, transport: 'ipc' });
}
