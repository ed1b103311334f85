import { z } from 'zod';
import { event, method } from '../define';

/**
 * Long publish jobs (bulk task publish, replay, import) recorded in the JetStream KV bucket
 * `jetdeck_jobs`, so a job cut short by a crash is still known after a restart, with how far
 * it got. The record is written at most once a second while the job runs, and once at its end.
 */

export const JOBS_BUCKET = 'jetdeck_jobs';
export const JOB_RECORD_KINDS = ['bulk', 'replay', 'import'] as const;
export type JobRecordKind = (typeof JOB_RECORD_KINDS)[number];
export const JOB_RECORD_STATES = ['running', 'done', 'cancelled', 'failed', 'interrupted'] as const;
export type JobRecordState = (typeof JOB_RECORD_STATES)[number];

export interface JobRecord {
  id: string;
  kind: JobRecordKind;
  /** `interrupted`: its process ended (crash, kill) before the job did. */
  state: JobRecordState;
  /** What the job was doing, e.g. "1,000 × echo → tasks.new". */
  summary: string;
  total: number;
  /** Handed to the server so far. */
  sent: number;
  /** Confirmed stored (PubAck) so far: how far it got for sure. */
  confirmed: number;
  failed: number;
  startedAt: number;
  /** Last write; a running record not refreshed for a while belongs to a process that is gone. */
  updatedAt: number;
  /** The process running it. */
  host: string;
  pid: number;
  error?: string;
}

const jobIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'a job id is letters, digits, _ and -');

export const jobsMethods = {
  /** Recorded jobs, newest first (running, finished and interrupted). */
  'jobs.list': method(z.strictObject({ state: z.enum(JOB_RECORD_STATES).optional() }).optional()).returns<{
    jobs: JobRecord[];
  }>(),
  /** Forgets a finished or interrupted record (running jobs are cancelled with their own method). */
  'jobs.dismiss': method(z.strictObject({ id: jobIdSchema })).returns<{ dismissed: boolean }>(),
};

export const jobsEvents = {
  /** Jobs found interrupted (on connect, or when a running record goes stale). */
  'jobs.interrupted': event<{ jobs: JobRecord[] }>(),
};
