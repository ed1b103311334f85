import { randomBytes } from 'node:crypto';
import { ZodError, type z } from 'zod';
import { ApiError } from '../api/errors';
import { natsApiError } from '../nats/errors';

export { ApiError };

/** Turns anything thrown (zod, nats.js, node) into an ApiError with a stable code. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) {
    return new ApiError('invalid_input', formatZodError(err), { issues: err.issues });
  }
  return natsApiError(err) ?? internalError(err);
}

/**
 * An unexpected error: its stack (and its message, which may quote data the caller should
 * not see, e.g. a file's first bytes in a JSON parse error) goes to the log under a fresh id;
 * clients get the code, a fixed message and that id, to find the log line.
 */
export function internalError(err: unknown): ApiError {
  const errorId = randomBytes(6).toString('hex');
  const e = err instanceof Error ? err : new Error(String(err));
  console.error(`[jetdeck] internal error ${errorId}:`, e.stack ?? e.message);
  return new ApiError('internal', `internal error (id ${errorId}); details are in the server log`, {
    errorId,
  });
}

/** A JSON.parse failure without the text it quotes (node puts the start of the input in its message). */
export function jsonErrorMessage(err: unknown): string {
  const pos = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  return pos ? `invalid JSON at position ${pos[1]}` : 'invalid JSON';
}

export function formatZodError(err: ZodError): string {
  return issuesText(err.issues);
}

/**
 * For a failed union, the branch worth reporting is the one the input was aiming at: prefer a
 * branch whose complaint is not just "unrecognized keys" at its own level (strict unions).
 */
function issuesText(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): string {
  return issues
    .map((i) => {
      const path = [...prefix, ...i.path];
      if (i.code === 'invalid_union' && i.errors.length > 0) {
        const aimed =
          i.errors.find(
            (b) => b.length > 0 && !b.some((x) => x.code === 'unrecognized_keys' && x.path.length === 0),
          ) ?? i.errors[0];
        return issuesText(aimed, path);
      }
      return path.length ? `${path.map(String).join('.')}: ${i.message}` : i.message;
    })
    .join('; ');
}
