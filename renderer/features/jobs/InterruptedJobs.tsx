import { useEffect } from 'react';
import type { JobRecord, JobRecordKind } from '../../../api/features/jobs';
import { toastError } from '../toasts/store';
import { useJobs } from './store';

const KIND_LABEL: Record<JobRecordKind, string> = {
  bulk: 'Bulk publish',
  replay: 'Replay',
  import: 'Import',
};

const n = (x: number) => x.toLocaleString('en-US');

/**
 * A notice for jobs of `kinds` whose process ended before they did (crash, kill): what each was
 * doing and how far it got for sure (PubAcks), so the user can publish the rest; dismissible.
 */
export function InterruptedJobs({ kinds, connected }: { kinds: JobRecordKind[]; connected: boolean }) {
  const all = useJobs((s) => s.interrupted);
  const refresh = useJobs((s) => s.refresh);
  const dismiss = useJobs((s) => s.dismiss);
  useEffect(() => {
    if (connected) refresh().catch(() => {});
  }, [connected, refresh]);
  const jobs = all.filter((j) => kinds.includes(j.kind));
  if (!connected || jobs.length === 0) return null;
  return (
    <div className="banner warn" role="status" data-testid="interrupted-jobs">
      <div className="banner-main">
        <strong>
          {jobs.length === 1 ? 'A job was interrupted' : `${jobs.length} jobs were interrupted`} before it
          finished (its JetDeck process ended).
        </strong>
        <ul className="small">
          {jobs.map((j) => (
            <li key={j.id} data-testid="interrupted-job">
              <JobLine job={j} />{' '}
              <button
                className="btn small"
                onClick={() => dismiss(j.id).catch((err: unknown) => toastError('Could not dismiss', err))}
                data-testid="interrupted-dismiss"
              >
                Dismiss
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

function JobLine({ job: j }: { job: JobRecord }) {
  const pct = j.total > 0 ? ` (${((100 * j.confirmed) / j.total).toFixed(1)} %)` : '';
  return (
    <span>
      {KIND_LABEL[j.kind]} <code>{j.summary}</code>: {n(j.confirmed)} of {n(j.total)} confirmed{pct}
      {j.failed > 0 ? `, ${n(j.failed)} failed` : ''}; started {new Date(j.startedAt).toLocaleString()}, last
      heard of {new Date(j.updatedAt).toLocaleTimeString()} (process {j.pid} on {j.host}).
    </span>
  );
}
