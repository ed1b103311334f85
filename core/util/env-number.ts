/**
 * A whole number ≥ 0 from an environment variable: unset or empty gives `fallback`; anything
 * else that is not a whole number ≥ 0 gives `fallback` too, and says so.
 */
export function wholeNumberEnv(
  name: string,
  value: string | undefined,
  fallback: number,
  warn: (message: string) => void = console.error,
): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 0) return n;
  warn(`[jetdeck] ${name}=${value} is not a whole number ≥ 0: using ${fallback}`);
  return fallback;
}
