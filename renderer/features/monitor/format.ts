import { formatBytes } from '../../ui/format';

/** 1234.5 → "1.2k", for rates in tight cells. */
export function formatCompact(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (a >= 100) return Math.round(n).toLocaleString('en-US');
  return String(Math.round(n * 10) / 10);
}

export function formatRate(n: number | undefined): string {
  return n === undefined ? '—' : `${formatCompact(n)}/s`;
}

export function formatByteRate(n: number | undefined): string {
  return n === undefined ? '—' : `${formatBytes(Math.max(0, Math.round(n)))}/s`;
}

export function formatMaybeBytes(n: number | undefined): string {
  return n === undefined ? '—' : formatBytes(n);
}

export function formatPct(n: number | undefined): string {
  return n === undefined ? '—' : `${n < 10 ? n.toFixed(1) : Math.round(n)}%`;
}
