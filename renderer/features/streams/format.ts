/** Display helpers shared by the streams, consumers and messages screens. */

export function formatNanos(ns: number | undefined): string {
  if (!ns) return '—';
  const s = ns / 1e9;
  if (s < 1) return `${Math.round(ns / 1e6)} ms`;
  if (s < 120) return `${+s.toFixed(1)} s`;
  if (s < 7200) return `${+(s / 60).toFixed(1)} min`;
  if (s < 172800) return `${+(s / 3600).toFixed(1)} h`;
  return `${+(s / 86400).toFixed(1)} d`;
}

export function formatLimit(n: number | undefined, fmt: (n: number) => string = String): string {
  return n === undefined || n < 0 ? 'unlimited' : fmt(n);
}

/** Local date and time with milliseconds, e.g. 2024-05-01 12:03:04.123. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function formatRate(r: number | undefined): string {
  if (r === undefined) return '—';
  if (r >= 1000) return `${+(r / 1000).toFixed(1)}k/s`;
  return `${+r.toFixed(1)}/s`;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
