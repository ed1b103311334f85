import { useState } from 'react';
import { api } from '../../api';
import { replayInputSchema, type DryRunResult, type ReplayMode } from '../../../api/features/messages';
import { Modal } from '../../ui/Modal';
import { formatBytes, formatCount } from '../../ui/format';
import { errorMessage, formatTime } from '../streams/format';
import { toastError, toastInfo } from '../toasts/store';
import {
  DEFAULT_RATE,
  DEFAULT_TARGET,
  toRate,
  toSource,
  toTarget,
  type RateForm,
  type SourceForm,
  type TargetForm,
} from './job-inputs';
import { RatePicker, SourcePicker, TargetPicker } from './JobForms';
import { JobProgressView } from './JobProgressView';
import { download } from './payload';
import { useJob } from './useJob';

/**
 * Replay (or export) messages: a selection or a range; a dry run shows the count first; the
 * job reports progress and can be cancelled. Export downloads JSON Lines instead of publishing.
 */
export function ReplayDialog({
  stream,
  mode,
  seqs,
  subject,
  onClose,
}: {
  stream: string;
  mode: 'replay' | 'export';
  seqs: number[];
  subject: string;
  onClose: () => void;
}) {
  const [source, setSource] = useState<SourceForm>({
    kind: seqs.length ? 'selection' : 'range',
    seqs,
    fromSeq: '',
    toSeq: '',
    fromTime: '',
    toTime: '',
    subject,
  });
  const [target, setTarget] = useState<TargetForm>(DEFAULT_TARGET);
  const [rate, setRate] = useState<RateForm>(DEFAULT_RATE);
  const [replayMode, setReplayMode] = useState<ReplayMode>('rerun');
  const [dry, setDry] = useState<DryRunResult>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [job, setJob] = useJob();

  const input = {
    source: toSource(stream, source),
    target: toTarget(target),
    rate: toRate(rate),
    mode: replayMode,
  };
  const check = replayInputSchema.safeParse(input);
  const problem = check.success
    ? undefined
    : check.error.issues
        .map((i) => `${i.path.slice(1).join('.') || i.path.join('.')}: ${i.message}`)
        .join('; ');
  const change =
    <T,>(fn: (v: T) => void) =>
    (v: T) => {
      fn(v);
      setDry(undefined);
      setError(undefined);
    };

  const dryRun = async () => {
    setBusy(true);
    try {
      setDry(await api.call('replay.dryRun', input));
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const start = async () => {
    setBusy(true);
    try {
      setJob(await api.call('replay.start', input));
    } catch (e) {
      setError(errorMessage(e));
      toastError('Could not start the replay', e);
    } finally {
      setBusy(false);
    }
  };
  const exportLines = async () => {
    setBusy(true);
    try {
      const r = await api.call('messages.export', { source: input.source });
      download(`${stream}-export.jsonl`, r.content, 'application/x-ndjson');
      toastInfo(`Exported ${formatCount(r.count)} message(s)`, formatBytes(r.bytes));
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const cancel = () =>
    job &&
    void api
      .call('replay.cancel', { jobId: job.jobId })
      .then(setJob, (e: unknown) => toastError('Could not cancel', e));

  const title = mode === 'export' ? `Export from ${stream} (JSON Lines)` : `Replay from ${stream}`;
  return (
    <Modal
      title={title}
      onClose={onClose}
      wide
      testId={mode === 'export' ? 'export-dialog' : 'replay-dialog'}
      footer={
        job ? (
          <button className="btn" onClick={onClose} data-testid="job-close">
            {job.done ? 'Close' : 'Hide (keeps running)'}
          </button>
        ) : (
          <>
            <span className="footer-status small error-text">
              {problem && (source.kind === 'range' || seqs.length) ? problem : ''}
            </span>
            <button className="btn" onClick={onClose}>
              Cancel
            </button>
            <button
              className="btn"
              onClick={() => void dryRun()}
              disabled={busy || !!problem}
              data-testid="replay-dry-run"
            >
              Dry run
            </button>
            {mode === 'export' ? (
              <button
                className="btn primary"
                onClick={() => void exportLines()}
                disabled={busy || !!problem}
                data-testid="export-start"
              >
                Download .jsonl
              </button>
            ) : (
              <button
                className="btn primary"
                onClick={() => void start()}
                disabled={busy || !!problem || !dry || dry.count === 0}
                title={!dry ? 'Run a dry run first' : undefined}
                data-testid="replay-start"
              >
                Replay {dry ? formatCount(dry.count) : ''}
              </button>
            )}
          </>
        )
      }
    >
      {job ? (
        <JobProgressView job={job} onCancel={cancel} />
      ) : (
        <div className="form">
          <SourcePicker value={source} onChange={change(setSource)} />
          {mode === 'replay' && (
            <>
              <TargetPicker value={target} onChange={change(setTarget)} />
              <RatePicker value={rate} onChange={setRate} />
              <fieldset className="replay-modes" data-testid="replay-mode">
                <legend>What to publish</legend>
                <label>
                  <input
                    type="radio"
                    name="replay-mode"
                    checked={replayMode === 'rerun'}
                    onChange={() => change(setReplayMode)('rerun')}
                    data-testid="replay-mode-rerun"
                  />{' '}
                  <b>Re-run as new tasks</b>
                  <span className="muted small">
                    {' '}
                    — task messages get a new id, created_at and <code>metadata.retry_of</code>; every message
                    a fresh <code>Nats-Msg-Id</code> and <code>JetDeck-Replay-Of: {stream}:&lt;seq&gt;</code>.
                  </span>
                </label>
                <label>
                  <input
                    type="radio"
                    name="replay-mode"
                    checked={replayMode === 'faithful'}
                    onChange={() => change(setReplayMode)('faithful')}
                    data-testid="replay-mode-faithful"
                  />{' '}
                  <b>Faithful copy</b>
                  <span className="muted small">
                    {' '}
                    — payload bytes and headers as stored; the original <code>Nats-Msg-Id</code> moves to{' '}
                    <code>JetDeck-Replay-Msg-Id</code> so deduplication does not drop the copy.
                  </span>
                </label>
              </fieldset>
            </>
          )}
          {dry && (
            <div className="banner info" data-testid="dry-run-result">
              <div className="banner-main">
                <b data-testid="dry-run-count">{formatCount(dry.count)}</b> message(s) would be{' '}
                {mode === 'export' ? 'exported' : 'replayed'}
                {dry.first && dry.last && (
                  <div className="small muted">
                    #{dry.first.seq} ({formatTime(dry.first.time)}) … #{dry.last.seq} (
                    {formatTime(dry.last.time)})
                  </div>
                )}
                {mode === 'replay' && dry.sampleTarget && (
                  <div className="small">
                    e.g. <code>{dry.first?.subject}</code> →{' '}
                    <code data-testid="dry-run-target">{dry.sampleTarget}</code>
                  </div>
                )}
                {dry.missing.length > 0 && (
                  <div className="small error-text">Missing: {dry.missing.map((s) => `#${s}`).join(' ')}</div>
                )}
              </div>
            </div>
          )}
          {error && (
            <p className="error-text" role="alert" data-testid="replay-error">
              {error}
            </p>
          )}
        </div>
      )}
    </Modal>
  );
}
