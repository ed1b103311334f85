import type { z } from 'zod';

export type Config = Record<string, unknown>;

/** Comma/newline separated list to trimmed non-empty items. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Number input text to a value for the config: empty leaves the field out. */
export function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : NaN;
}

export function secondsToNanos(text: string): number | undefined {
  const s = numberOrUndefined(text);
  return s === undefined || Number.isNaN(s) ? s : Math.round(s * 1e9);
}

export function nanosToSeconds(ns: unknown): string {
  return typeof ns === 'number' ? String(ns / 1e9) : '';
}

/** Sets or (for undefined/empty) removes a key, returning a new object. */
export function withField(config: Config, key: string, value: unknown): Config {
  const next = { ...config };
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) delete next[key];
  else next[key] = value;
  return next;
}

/** zod issues as "path: message" lines, keyed by top-level field for inline errors. */
export function issuesByField(error: z.ZodError): { byField: Record<string, string>; all: string[] } {
  const byField: Record<string, string> = {};
  const all: string[] = [];
  for (const i of error.issues) {
    const path = i.path.join('.');
    all.push(path ? `${path}: ${i.message}` : i.message);
    const top = String(i.path[0] ?? '');
    if (top && !byField[top]) byField[top] = i.message;
  }
  return { byField, all };
}

export function parseJsonObject(text: string): { value?: Config; error?: string } {
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: 'the config must be a JSON object' };
    return { value: v as Config };
  } catch (err) {
    return { error: `not valid JSON: ${(err as Error).message}` };
  }
}
