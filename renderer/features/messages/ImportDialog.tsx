import { useState } from 'react';
import { api } from '../../api';
import { Field } from '../../ui/Field';
import { Modal, ModalActions } from '../../ui/Modal';
import { formatBytes } from '../../ui/format';
import { errorMessage } from '../streams/format';
import { DEFAULT_RATE, DEFAULT_TARGET, toRate, toTarget, type RateForm, type TargetForm } from './job-inputs';
import { RatePicker, TargetPicker } from './JobForms';
import { JobProgressView } from './JobProgressView';
import { useJob } from './useJob';

/** Publishes a JSON Lines file (as exported) with the same target, rate and progress controls. */
export function ImportDialog({ onClose }: { onClose: () => void }) {
  const [file, setFile] = useState<{ name: string; content: string; size: number }>();
  const [target, setTarget] = useState<TargetForm>(DEFAULT_TARGET);
  const [rate, setRate] = useState<RateForm>(DEFAULT_RATE);
  const [renew, setRenew] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [job, setJob] = useJob();

  const pick = async (f: File | undefined) => {
    setError(undefined);
    if (!f) return setFile(undefined);
    setFile({ name: f.name, size: f.size, content: await f.text() });
  };
  const start = async () => {
    if (!file) return;
    setBusy(true);
    try {
      setJob(
        await api.call('messages.import', {
          content: file.content,
          target: toTarget(target),
          rate: toRate(rate),
          renewMsgIds: renew,
        }),
      );
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const lines = file ? file.content.split('\n').filter((l) => l.trim()).length : 0;

  return (
    <Modal
      title="Import JSON Lines"
      onClose={onClose}
      wide
      testId="import-dialog"
      footer={
        job ? (
          <button className="btn" onClick={onClose} data-testid="job-close">
            {job.done ? 'Close' : 'Hide (keeps running)'}
          </button>
        ) : (
          <ModalActions
            onCancel={onClose}
            onSubmit={() => void start()}
            label={busy ? 'Checking…' : `Import ${lines || ''}`}
            disabled={busy || !file}
            testId="import-start"
          />
        )
      }
    >
      {job ? (
        <JobProgressView
          job={job}
          onCancel={() => void api.call('replay.cancel', { jobId: job.jobId }).then(setJob, () => {})}
        />
      ) : (
        <div className="form">
          <Field
            id="import-file"
            label="File"
            hint="one message per line: {subject, headers?, data | data_b64, time?}; every line is checked before anything is sent"
          >
            <input
              id="import-file"
              type="file"
              accept=".jsonl,.ndjson,.json,application/x-ndjson,text/plain"
              onChange={(e) => void pick(e.target.files?.[0])}
              data-testid="import-file"
            />
          </Field>
          {file && (
            <p className="small muted" data-testid="import-file-info">
              {file.name} · {formatBytes(file.size)} · {lines} line(s)
            </p>
          )}
          <TargetPicker value={target} onChange={setTarget} />
          <RatePicker value={rate} onChange={setRate} />
          <label className="check">
            <input type="checkbox" checked={renew} onChange={(e) => setRenew(e.target.checked)} /> Give
            messages a fresh Nats-Msg-Id (re-import inside the dedup window)
          </label>
          {error && (
            <p className="error-text" role="alert" data-testid="import-error">
              {error}
            </p>
          )}
        </div>
      )}
    </Modal>
  );
}
