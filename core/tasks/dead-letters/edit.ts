import { ApiError } from '../../../api/errors';
import { isJsonValue } from '../../../api/features/tasks';
import { applyJsonPatch, JsonPatchError, type JsonPatch } from '../../../api/json-patch';

/**
 * A payload with `patch` applied. A patch that does not apply to it (a missing path, a failed
 * `test`) is a conflict with this task's payload, not bad input: other payloads may take it.
 */
export function patchPayload(payload: unknown, patch: JsonPatch): unknown {
  let out: unknown;
  try {
    out = applyJsonPatch(payload ?? null, patch);
  } catch (err) {
    if (err instanceof JsonPatchError)
      throw new ApiError('conflict', `the patch does not apply: ${err.message}`);
    throw err;
  }
  if (!isJsonValue(out)) throw new ApiError('invalid_input', 'the patched payload is not JSON');
  return out;
}
