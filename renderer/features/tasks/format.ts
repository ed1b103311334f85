import type { TaskStatus } from '../../../api/task-wire';
import { formatDuration } from '../../ui/format';

/** "14:03:22" today, "Nov 27 14:03" otherwise. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString([], { hour12: false })
    : d.toLocaleString([], {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      });
}

/** Time with milliseconds, for timelines where order within a second matters. */
export function formatPreciseTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function formatSeconds(sec: number | null): string {
  if (sec === null) return '—';
  if (sec === 0) return 'empty';
  return formatDuration(sec * 1000);
}

export const STATUS_TONE: Record<TaskStatus, string> = {
  scheduled: 'idle',
  pending: 'idle',
  processing: 'accent',
  retrying: 'warn',
  completed: 'ok',
  failed: 'bad',
  cancelled: 'muted',
};

/** "in 4m 10s" before `iso`, "due" from then on (the releaser hands it to its lane). */
export function formatUntil(iso: string | undefined, now: number): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(t)) return '—';
  if (t <= now) return 'due';
  const sec = Math.ceil((t - now) / 1000);
  return sec < 60 ? `in ${sec} s` : `in ${formatDuration(sec * 1000)}`;
}
