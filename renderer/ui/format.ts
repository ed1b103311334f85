export function formatRtt(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
export function formatBytes(n: number): string {
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[i]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A duration: "0.42 ms", "12 ms", "1.23 s", "4m 10s", "5h 12m", "3d 4h"; "—" when unknown. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m}m ${Math.floor((ms % 60_000) / 1000)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Seconds (as servers report uptimes) to the milliseconds formatDuration takes. */
export const secondsToMs = (sec: number | undefined): number | undefined =>
  sec === undefined ? undefined : sec * 1000;

/** How long ago, from epoch ms or an ISO time: "12 s ago", "4m 10s ago"; "—" when unknown. */
export function formatAgo(at: number | string | undefined, now = Date.now()): string {
  const t = typeof at === 'string' ? Date.parse(at) : at;
  if (t === undefined || Number.isNaN(t) || t <= 0) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  return s < 60 ? `${s} s ago` : `${formatDuration(s * 1000)} ago`;
}
