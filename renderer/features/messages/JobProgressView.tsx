import type { JobProgress } from '../../../api/features/messages';
import { formatCount } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { formatRate } from '../streams/format';

/** Progress bar while running; summary (sent, failed, duration) when done. */
export function JobProgressView({ job, onCancel }: { job: JobProgress; onCancel: () => void }) {
  return (
    <div className="job-progress" data-testid="job-progress" data-state={job.state}>
      <div className="card-head">
        <b data-testid="job-state">
          {job.state === 'running'
            ? `${job.kind === 'replay' ? 'Replaying' : 'Importing'}…`
            : job.state === 'done'
              ? 'Finished'
              : job.state === 'cancelled'
                ? 'Cancelled'
                : 'Failed'}
        </b>
        {!job.done && (
          <button className="btn small" onClick={onCancel} data-testid="job-cancel">
            Cancel
          </button>
        )}
      </div>
      <ProgressBar
        value={job.sent + job.skipped}
        failed={job.failed}
        max={job.total}
        label={`${job.kind} progress`}
        testId="job-progress-bar"
      />
      <dl className="kv compact job-summary" data-testid="job-summary">
        <dt>Sent</dt>
        <dd data-testid="job-sent">
          {formatCount(job.sent)} of {formatCount(job.total)}
        </dd>
        <dt>Failed</dt>
        <dd data-testid="job-failed" className={job.failed ? 'error-text' : undefined}>
          {formatCount(job.failed)}
        </dd>
        {job.skipped > 0 && (
          <>
            <dt>Skipped</dt>
            <dd>{formatCount(job.skipped)} (outside the mapping)</dd>
          </>
        )}
        {job.duplicates > 0 && (
          <>
            <dt>Duplicates</dt>
            <dd>{formatCount(job.duplicates)} (dropped by deduplication)</dd>
          </>
        )}
        <dt>{job.done ? 'Average rate' : 'Rate'}</dt>
        <dd>{formatRate(job.rate)}</dd>
        <dt>Duration</dt>
        <dd data-testid="job-duration">{(job.durationMs / 1000).toFixed(1)} s</dd>
      </dl>
      {job.error && <p className="error-text">{job.error}</p>}
      {job.errors.length > 0 && (
        <ul className="plain small error-text">
          {job.errors.map((e, i) => (
            <li key={i}>
              {e.seq !== undefined ? `#${e.seq}: ` : e.line !== undefined ? `line ${e.line}: ` : ''}
              {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
