/** Shared helpers for bench groups. */
export interface BenchGroup {
  name: string;
  description: string;
  run(): Promise<void>;
}

/** Prints one figure as `name value unit`. */
export function report(name: string, value: number, unit: string): void {
  const v = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
  console.log(`${name} ${v} ${unit}`);
}

/** Prints `name_ratio x` = ours / baseline. */
export function ratio(name: string, ours: number, baseline: number): void {
  report(name, baseline > 0 ? ours / baseline : 0, 'x');
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}
