/**
 * Nesting limits. Inputs deeper than MAX_INPUT_DEPTH are refused before validation (zod,
 * JSON.stringify and structured clone all recurse, so a 5,000-deep value would otherwise turn
 * into a stack overflow and a 500). Results are capped at MAX_OUTPUT_DEPTH so a task some
 * other NATS client published with an absurd payload can still be shown. Both walks are
 * iterative: checking depth must not itself overflow the stack.
 */
export const MAX_INPUT_DEPTH = 64;
export const MAX_OUTPUT_DEPTH = 100;
export const TOO_DEEP_MARKER = `[nested deeper than ${MAX_OUTPUT_DEPTH} levels: not shown]`;

function isContainer(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/** True when `value` has containers nested more than `limit` levels deep (the value itself is level 1). */
export function exceedsDepth(value: unknown, limit: number): boolean {
  if (!isContainer(value)) return false;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > limit) return true;
    for (const child of Object.values(v)) if (isContainer(child)) stack.push([child, d + 1]);
  }
  return false;
}

/**
 * `value` unchanged when it is shallow enough; otherwise a copy where every container below
 * `limit` levels is replaced by TOO_DEEP_MARKER.
 */
export function capDepth<T>(value: T, limit = MAX_OUTPUT_DEPTH): T {
  if (!exceedsDepth(value, limit)) return value;
  const root: unknown = Array.isArray(value) ? [] : {};
  const stack: [Record<string, unknown>, Record<string, unknown>, number][] = [
    [value as Record<string, unknown>, root as Record<string, unknown>, 1],
  ];
  while (stack.length > 0) {
    const [src, dst, d] = stack.pop()!;
    for (const [k, child] of Object.entries(src)) {
      if (!isContainer(child) || (child as { toJSON?: unknown }).toJSON !== undefined) dst[k] = child;
      else if (d >= limit) dst[k] = TOO_DEEP_MARKER;
      else {
        const copy = Array.isArray(child) ? [] : {};
        dst[k] = copy;
        stack.push([child as Record<string, unknown>, copy as Record<string, unknown>, d + 1]);
      }
    }
  }
  return root as T;
}
