import { toApiError } from '../errors';

/**
 * Wraps every handler so nats.js errors leave as ApiError with the server's own message
 * (JetStreamApiError → not_found / invalid_input / nats_error), for in-process callers too.
 */
export function withApiErrors<H extends Record<string, (...args: never[]) => unknown>>(handlers: H): H {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(handlers)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toApiError(err);
      }
    };
  }
  return out as H;
}
