import { useState } from 'react';
import { TASK_PRIORITIES, TASK_ROUTES, type PublishResult } from '../../../api/features/tasks';
import { ApiError } from '../../../api/errors';
import { api } from '../../api';
import { Field, FieldInput } from '../../ui/Field';
import { serverIssues } from '../../ui/form-issues';
import { JsonEditor } from '../../ui/JsonEditor';
import { toastError } from '../toasts/store';
import { BulkStatus } from './BulkStatus';
import { HeaderRows } from './HeaderRows';
import {
  INITIAL_PUBLISH_FORM,
  publishFieldErrors,
  validatePublishForm,
  type PublishErrors,
  type PublishFormValues,
} from './publish-form-model';
import { useTasks } from './store';
import { formatTime } from './format';
import { submitHandlers } from '../../ui/submit-handlers';
import { Segmented } from '../../ui/Segmented';

export const PUBLISH_TYPE_INPUT_ID = 'publish-type';
const BUILTIN_TYPES = ['echo', 'sleep', 'fail', 'flaky', 'cpu'];

/** Publish one task or N of the same shape (bulk, with progress and cancel). */
export function PublishForm({ types, onOpenTask }: { types: string[]; onOpenTask: (id: string) => void }) {
  const [f, setF] = useState<PublishFormValues>(INITIAL_PUBLISH_FORM);
  const [errors, setErrors] = useState<PublishErrors>({});
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<PublishResult>();
  const [jobId, setJobId] = useState<string>();
  const suggestions = [...new Set([...BUILTIN_TYPES, ...types])].sort();
  const job = useTasks((s) => (jobId ? s.jobs[jobId] : undefined));
  const running = job?.state === 'running' || (jobId !== undefined && !job);

  const patch = (p: Partial<PublishFormValues>) => setF((old) => ({ ...old, ...p }));

  const submit = async () => {
    if (busy || running) return;
    const { errors: errs, call } = validatePublishForm(f);
    setErrors(errs);
    if (!call) return;
    setBusy(true);
    setLast(undefined);
    try {
      if (call.method === 'tasks.publish') {
        setJobId(undefined);
        setLast(await api.call('tasks.publish', call.input));
      } else {
        setJobId((await api.call('tasks.publishBulk', call.input)).jobId);
      }
    } catch (err) {
      // The server checks with the same schemas; its issues land on the same fields.
      const issues = err instanceof ApiError ? serverIssues(err.detail) : [];
      if (issues.length) setErrors(publishFieldErrors(issues));
      else toastError('Could not publish', err);
    } finally {
      setBusy(false);
    }
  };

  const cancelJob = async () => {
    if (!jobId) return;
    try {
      await api.call('tasks.cancelBulk', { jobId });
    } catch (err) {
      toastError('Could not cancel the bulk publish', err);
    }
  };

  const count = Number(f.count);
  const handlers = submitHandlers(submit);

  return (
    <form className="card publish-form" {...handlers} noValidate data-testid="publish-form">
      <div className="card-head">
        <h2>Publish</h2>
        <span className="muted small">
          <kbd>Ctrl</kbd>/<kbd>⌘</kbd>+<kbd>Enter</kbd> publishes
        </span>
      </div>
      <div className="publish-grid">
        <Field id={PUBLISH_TYPE_INPUT_ID} label="Type" error={errors.type}>
          <input
            id={PUBLISH_TYPE_INPUT_ID}
            list="publish-type-options"
            value={f.type}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => patch({ type: e.target.value })}
            data-testid="publish-type"
          />
          <datalist id="publish-type-options">
            {suggestions.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </Field>
        <FieldInput
          id="publish-id"
          label={count > 1 ? 'Id prefix (optional)' : 'Id (optional)'}
          error={errors.id}
          hint={
            count > 1 ? 'Ids become <prefix>-1 … <prefix>-N' : 'Generated when empty; also the Nats-Msg-Id'
          }
          value={f.id}
          autoComplete="off"
          spellCheck={false}
          onValue={(v) => patch({ id: v })}
        />
        <div className="field">
          <label>Priority</label>
          <Segmented
            ariaLabel="Priority"
            options={TASK_PRIORITIES}
            value={f.priority}
            onChange={(priority) => patch({ priority })}
            testId={(p) => `publish-priority-${p}`}
          />
        </div>
        <div className="field">
          <label>Route</label>
          <Segmented
            ariaLabel="Route"
            options={TASK_ROUTES}
            value={f.route}
            onChange={(route) => patch({ route })}
            title={(r) =>
              r === 'typed'
                ? `tasks.typed.${f.type || '<type>'}: only pools limited to this type take it`
                : undefined
            }
            testId={(r) => `publish-route-${r}`}
          />
        </div>
      </div>
      <JsonEditor
        label="Payload (JSON)"
        value={f.payload}
        onChange={(payload) => patch({ payload })}
        onSubmitShortcut={() => void submit()}
        testId="publish-payload"
      />
      <HeaderRows rows={f.headers} onChange={(headers) => patch({ headers })} error={errors.headers} />
      <div className="publish-grid">
        <FieldInput
          id="publish-count"
          label="Count"
          error={errors.count}
          hint={count > 1 ? 'Bulk publish with progress' : 'One task'}
          inputMode="numeric"
          value={f.count}
          onValue={(v) => patch({ count: v })}
        />
        <FieldInput
          id="publish-rate"
          label="Rate limit (tasks/s)"
          error={errors.rate}
          hint="Empty: as fast as the server acks"
          inputMode="decimal"
          value={f.rate}
          disabled={!(count > 1)}
          onValue={(v) => patch({ rate: v })}
        />
        <FieldInput
          id="publish-max-attempts"
          label="Max attempts"
          error={errors.maxAttempts}
          hint="Empty: the consumer's (3)"
          inputMode="numeric"
          value={f.maxAttempts}
          onValue={(v) => patch({ maxAttempts: v })}
        />
        <FieldInput
          id="publish-when"
          label="Run (optional)"
          error={errors.when}
          hint="Empty: now · a delay (5m, 1h30m) or an ISO time"
          value={f.when}
          autoComplete="off"
          spellCheck={false}
          placeholder="now"
          onValue={(v) => patch({ when: v })}
        />
        <div className="field publish-submit">
          <button
            type="submit"
            className="btn primary"
            disabled={busy || running}
            data-testid="publish-submit"
          >
            {busy
              ? 'Publishing…'
              : f.when.trim() && count === 1
                ? 'Schedule task'
                : count > 1
                  ? `Publish ${count.toLocaleString('en-US')} tasks`
                  : 'Publish task'}
          </button>
        </div>
      </div>
      {last && (
        <p className="small publish-result" data-testid="publish-result">
          {last.duplicate ? 'Duplicate id — the stream already had ' : 'Published '}
          <button
            type="button"
            className="link mono"
            onClick={() => onOpenTask(last.task.id)}
            data-testid="publish-result-id"
          >
            {last.task.id}
          </button>{' '}
          to <code>{last.subject}</code> at stream seq {last.seq}
          {last.task.run_at ? <> — runs at {formatTime(last.task.run_at)}</> : null}.
        </p>
      )}
      {jobId && <BulkStatus jobId={jobId} onCancel={() => void cancelJob()} />}
    </form>
  );
}
