/**
 * The one polling helper of the tests: wait on a condition, never on time. `fn` is called every
 * `intervalMs` until `ok` accepts its value (default: truthy); errors it throws count as "not
 * yet". Past the deadline it throws with `what`, the last value and the last error.
 */
export interface PollOptions<T> {
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  ok?: (v: T) => boolean;
}

export async function pollUntil<T>(fn: () => T | Promise<T>, opts: PollOptions<T>): Promise<T> {
  const { what, timeoutMs = 10_000, intervalMs = 25, ok = (v: T) => Boolean(v) } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const value = last === undefined ? '' : `; last value: ${String(JSON.stringify(last)).slice(0, 2000)}`;
      const error = lastErr ? `; last error: ${(lastErr as Error).message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${value}${error}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
