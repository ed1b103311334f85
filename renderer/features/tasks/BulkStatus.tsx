import { ProgressBar } from '../../ui/ProgressBar';
import { useTasks } from './store';
import { formatDuration } from '../../ui/format';

/** Progress of one bulk publish job, with cancel while it runs. */
export function BulkStatus({ jobId, onCancel }: { jobId: string; onCancel: () => void }) {
  const job = useTasks((s) => s.jobs[jobId]);
  if (!job) {
    return (
      <div className="bulk" data-testid="bulk-progress" data-state="starting">
        <ProgressBar value={0} label="Starting bulk publish" />
      </div>
    );
  }
  return (
    <div className="bulk" data-testid="bulk-progress" data-state={job.state}>
      <ProgressBar
        value={job.acked}
        failed={job.failed}
        max={job.total}
        label={`Publishing ${job.total} tasks`}
      />
      <div className="bulk-figures small">
        <span data-testid="bulk-acked">
          <strong>{job.acked.toLocaleString('en-US')}</strong> / {job.total.toLocaleString('en-US')} acked
        </span>
        <span>sent {job.sent.toLocaleString('en-US')}</span>
        {job.failed > 0 && <span className="error-text">failed {job.failed.toLocaleString('en-US')}</span>}
        {job.duplicates > 0 && <span>duplicates {job.duplicates.toLocaleString('en-US')}</span>}
        <span>{job.ratePerSec.toLocaleString('en-US')} /s</span>
        <span className="muted">{formatDuration(job.elapsedMs)}</span>
        <span className="spacer" />
        {job.state === 'running' ? (
          <button type="button" className="btn small" onClick={onCancel} data-testid="bulk-cancel">
            Cancel
          </button>
        ) : (
          <span
            className={`badge ${job.state === 'done' ? 'ok' : job.state === 'error' ? 'tone-bad' : ''}`}
            data-testid="bulk-state"
          >
            {job.state}
          </span>
        )}
      </div>
      {job.error && <p className="small error-text">{job.error}</p>}
      {job.errors && job.errors.length > 0 && !job.error && (
        <ul className="small error-text">
          {job.errors.map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
