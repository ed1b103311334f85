import type { StreamConfig } from '@nats-io/jetstream';
import { SCHEDULE_HEADERS, SUBJECTS, isScheduledSubject } from '../api/task-wire';

/*
 * Native message schedules (nats-server 2.12, ADR-51): a message stored with `Nats-Schedule:
 * @at <time>` and `Nats-Schedule-Target: <subject>` is held by the stream and published by the
 * server itself, once, to the target (a subject of the same stream) when the time comes; the held
 * message is then removed. The server needs the stream's `allow_msg_schedules` (and rollups: it
 * adds `Nats-Rollup: sub`, so each schedule needs a subject of its own). On older servers, or a
 * TASKS stream without those settings, JetDeck's own lane (`tasks.scheduled` and the
 * `task-scheduler` consumer, worker/scheduled) releases scheduled tasks instead.
 */

/** First server release with message schedules. */
export const NATIVE_SCHEDULES_SINCE: readonly [number, number] = [2, 12];
/** Where a native schedule waits: one subject per task, under the scheduled lane's subject. */
export const NATIVE_SCHEDULE_SUBJECTS = `${SUBJECTS.scheduled}.*`;

export const NATIVE_SCHEDULE_HEADERS = {
  schedule: 'Nats-Schedule',
  target: 'Nats-Schedule-Target',
  /** On the message the server publishes: the subject that held the schedule. */
  scheduler: 'Nats-Scheduler',
} as const;

/** What TASKS needs for native schedules, on top of its usual config. */
export const NATIVE_SCHEDULE_STREAM_SETTINGS = {
  allow_msg_schedules: true,
  allow_rollup_hdrs: true,
} as const satisfies Partial<StreamConfig>;

export type ScheduleMode = { native: true } | { native: false; reason: string };

/** `2.12.0`, `v2.12.1-beta.2` → [2, 12, 1]; undefined when unreadable. */
export function parseVersion(version: string | undefined): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function supportsNativeSchedules(version: string | undefined): boolean {
  const v = parseVersion(version);
  const [maj, min] = NATIVE_SCHEDULES_SINCE;
  return !!v && (v[0] > maj || (v[0] === maj && v[1] >= min));
}

/**
 * Native schedules or JetDeck's lane, decided by the server's version (never by trying and
 * catching the error) and by what TASKS allows: the operator owns the stream's config, so a
 * TASKS without the settings keeps the lane that works everywhere.
 */
export function scheduleMode(
  version: string | undefined,
  cfg: Partial<StreamConfig> | undefined,
): ScheduleMode {
  if (!supportsNativeSchedules(version))
    return {
      native: false,
      reason: `nats-server ${version ?? '(unknown)'} has no message schedules (${NATIVE_SCHEDULES_SINCE.join('.')}+)`,
    };
  if (!cfg) return { native: false, reason: 'the TASKS stream config is unknown' };
  const missing: string[] = [];
  if (!cfg.allow_msg_schedules) missing.push('allow_msg_schedules');
  if (!cfg.allow_rollup_hdrs) missing.push('allow_rollup_hdrs');
  if (cfg.deny_purge) missing.push('deny_purge off');
  if (!cfg.subjects?.includes(NATIVE_SCHEDULE_SUBJECTS)) missing.push(`subject ${NATIVE_SCHEDULE_SUBJECTS}`);
  return missing.length
    ? { native: false, reason: `TASKS lacks ${missing.join(', ')} for native schedules` }
    : { native: true };
}

/** Task ids that are one subject token as they are; any other id is written base64url after a `~`. */
const TOKEN_SAFE = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * The subject holding one task's native schedule: `tasks.scheduled.<token>`. One per task, since
 * the server rolls a schedule's subject up to its last message; injective, so two ids never share one.
 */
export function nativeScheduleSubject(id: string): string {
  const token = TOKEN_SAFE.test(id) ? id : `~${base64url(id)}`;
  return `${SUBJECTS.scheduled}.${token}`;
}

export function isNativeScheduleSubject(subject: string): boolean {
  return subject !== SUBJECTS.scheduled && isScheduledSubject(subject);
}

/** `@at` in RFC 3339 UTC, rounded up to the second: the server never releases a task early. */
export function atSchedule(dueMs: number): string {
  const t = new Date(Math.ceil(dueMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return `@at ${t}`;
}

/**
 * Headers of a native schedule: when and where the server publishes it, plus `JetDeck-Target`
 * (the lane, as on the lane path) so the Scheduled tab and a retry read one header either way.
 * The task's own headers ride along; the server strips the `Nats-Schedule*` ones and the msg id
 * from what it publishes and adds `Nats-Scheduler: <this subject>`.
 */
export function nativeScheduleHeaders(
  lane: string,
  dueMs: number,
  own?: Record<string, string>,
): Record<string, string> {
  return {
    ...own,
    [SCHEDULE_HEADERS.target]: lane,
    [NATIVE_SCHEDULE_HEADERS.schedule]: atSchedule(dueMs),
    [NATIVE_SCHEDULE_HEADERS.target]: lane,
  };
}

function base64url(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
