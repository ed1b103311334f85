import { useState, type KeyboardEvent } from 'react';
import {
  TASK_PRIORITIES,
  TASK_ROUTES,
  type PublishInput,
  type PublishResult,
} from '../../../api/features/tasks';
import { taskIdSchema, taskTypeSchema } from '../../../api/task-wire';
import { api } from '../../api';
import { Field } from '../../ui/Field';
import { checkJson, JsonEditor } from '../../ui/JsonEditor';
import { ProgressBar } from '../../ui/ProgressBar';
import { toastError } from '../toasts/store';
import { formatDuration } from './format';
import { useTasks } from './store';

export const PUBLISH_TYPE_INPUT_ID = 'publish-type';
const BUILTIN_TYPES = ['echo', 'sleep', 'fail', 'flaky', 'cpu'];
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

interface HeaderRow {
  key: string;
  value: string;
}

interface Form {
  type: string;
  payload: string;
  id: string;
  headers: HeaderRow[];
  priority: (typeof TASK_PRIORITIES)[number];
  route: (typeof TASK_ROUTES)[number];
  count: string;
  rate: string;
  maxAttempts: string;
}

const INITIAL: Form = {
  type: 'echo',
  payload: '{\n  "hello": "world"\n}',
  id: '',
  headers: [],
  priority: 'normal',
  route: 'default',
  count: '1',
  rate: '',
  maxAttempts: '',
};

type Errors = Partial<
  Record<'type' | 'payload' | 'id' | 'headers' | 'count' | 'rate' | 'maxAttempts', string>
>;

function firstIssue(r: { success: boolean; error?: { issues: { message: string }[] } }): string | undefined {
  return r.success ? undefined : r.error?.issues[0]?.message;
}

/** Checks the form the way the contract will, so most mistakes show inline before any call. */
function validate(f: Form): { errors: Errors; input?: PublishInput & { count: number; rate?: number } } {
  const errors: Errors = {};
  errors.type = firstIssue(taskTypeSchema.safeParse(f.type.trim()));
  const payload = checkJson(f.payload);
  if (!payload.ok) errors.payload = `line ${payload.line}, column ${payload.column}: ${payload.message}`;
  const count = Number(f.count);
  if (!Number.isInteger(count) || count < 1 || count > 10_000_000)
    errors.count = 'a whole number from 1 to 10,000,000';
  if (f.id.trim()) {
    errors.id = firstIssue(taskIdSchema.safeParse(f.id.trim()));
    if (!errors.id && count > 1 && f.id.trim().length > 150)
      errors.id = 'an id prefix is at most 150 characters';
  }
  const rate = f.rate.trim() ? Number(f.rate) : undefined;
  if (rate !== undefined && !(rate > 0 && rate <= 10_000_000)) errors.rate = 'tasks per second, more than 0';
  const maxAttempts = f.maxAttempts.trim() ? Number(f.maxAttempts) : undefined;
  if (
    maxAttempts !== undefined &&
    !(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= 100)
  ) {
    errors.maxAttempts = 'a whole number from 1 to 100';
  }
  const headers: Record<string, string> = {};
  for (const h of f.headers) {
    if (!h.key.trim() && !h.value) continue;
    const k = h.key.trim();
    if (!HEADER_NAME.test(k)) errors.headers = `"${k}" is not a valid header name`;
    else if (/^nats-/i.test(k)) errors.headers = 'Nats-* headers are reserved (JetDeck sets Nats-Msg-Id)';
    else if (/[\r\n]/.test(h.value)) errors.headers = 'header values must be one line';
    else headers[k] = h.value;
  }
  if (Object.values(errors).some(Boolean) || !payload.ok) return { errors };
  const input: PublishInput & { count: number; rate?: number } = {
    type: f.type.trim(),
    payload: payload.value,
    priority: f.priority,
    route: f.route,
    count,
    rate,
  };
  if (f.id.trim()) input.id = f.id.trim();
  if (maxAttempts !== undefined) input.max_attempts = maxAttempts;
  if (Object.keys(headers).length) input.headers = headers;
  return { errors, input };
}

/** Publish one task or N of the same shape (bulk, with progress and cancel). */
export function PublishForm({ types, onOpenTask }: { types: string[]; onOpenTask: (id: string) => void }) {
  const [f, setF] = useState<Form>(INITIAL);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<PublishResult>();
  const [jobId, setJobId] = useState<string>();
  const suggestions = [...new Set([...BUILTIN_TYPES, ...types])].sort();
  const job = useTasks((s) => (jobId ? s.jobs[jobId] : undefined));
  const running = job?.state === 'running' || (jobId !== undefined && !job);

  const patch = (p: Partial<Form>) => setF((old) => ({ ...old, ...p }));

  const submit = async () => {
    if (busy || running) return;
    const { errors: errs, input } = validate(f);
    setErrors(errs);
    if (!input) return;
    const { count, rate, ...one } = input;
    setBusy(true);
    setLast(undefined);
    try {
      if (count === 1) {
        setJobId(undefined);
        setLast(await api.call('tasks.publish', one));
      } else {
        // With count > 1 the id field is a prefix: ids become <prefix>-1 … <prefix>-N.
        const { id: idPrefix, ...shape } = one;
        const r = await api.call('tasks.publishBulk', { ...shape, count, ratePerSec: rate, idPrefix });
        setJobId(r.jobId);
      }
    } catch (err) {
      toastError('Could not publish', err);
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
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <form
      className="card publish-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      onKeyDown={onKeyDown}
      noValidate
      data-testid="publish-form"
    >
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
        <Field
          id="publish-id"
          label={count > 1 ? 'Id prefix (optional)' : 'Id (optional)'}
          error={errors.id}
          hint={
            count > 1 ? 'Ids become <prefix>-1 … <prefix>-N' : 'Generated when empty; also the Nats-Msg-Id'
          }
        >
          <input
            id="publish-id"
            value={f.id}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => patch({ id: e.target.value })}
            data-testid="publish-id"
          />
        </Field>
        <div className="field">
          <label>Priority</label>
          <div className="segmented" role="group" aria-label="Priority">
            {TASK_PRIORITIES.map((p) => (
              <button
                type="button"
                key={p}
                className={f.priority === p ? 'on' : ''}
                aria-pressed={f.priority === p}
                onClick={() => patch({ priority: p })}
                data-testid={`publish-priority-${p}`}
              >
                {p}
              </button>
            ))}
          </div>
        </div>
        <div className="field">
          <label>Route</label>
          <div className="segmented" role="group" aria-label="Route">
            {TASK_ROUTES.map((r) => (
              <button
                type="button"
                key={r}
                className={f.route === r ? 'on' : ''}
                aria-pressed={f.route === r}
                onClick={() => patch({ route: r })}
                title={
                  r === 'typed'
                    ? `tasks.typed.${f.type || '<type>'}: only pools limited to this type take it`
                    : undefined
                }
                data-testid={`publish-route-${r}`}
              >
                {r}
              </button>
            ))}
          </div>
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
        <Field
          id="publish-count"
          label="Count"
          error={errors.count}
          hint={count > 1 ? 'Bulk publish with progress' : 'One task'}
        >
          <input
            id="publish-count"
            inputMode="numeric"
            value={f.count}
            onChange={(e) => patch({ count: e.target.value })}
            data-testid="publish-count"
          />
        </Field>
        <Field
          id="publish-rate"
          label="Rate limit (tasks/s)"
          error={errors.rate}
          hint="Empty: as fast as the server acks"
        >
          <input
            id="publish-rate"
            inputMode="decimal"
            value={f.rate}
            disabled={!(count > 1)}
            onChange={(e) => patch({ rate: e.target.value })}
            data-testid="publish-rate"
          />
        </Field>
        <Field
          id="publish-max-attempts"
          label="Max attempts"
          error={errors.maxAttempts}
          hint="Empty: the consumer's (3)"
        >
          <input
            id="publish-max-attempts"
            inputMode="numeric"
            value={f.maxAttempts}
            onChange={(e) => patch({ maxAttempts: e.target.value })}
            data-testid="publish-max-attempts"
          />
        </Field>
        <div className="field publish-submit">
          <button
            type="submit"
            className="btn primary"
            disabled={busy || running}
            data-testid="publish-submit"
          >
            {busy
              ? 'Publishing…'
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
          to <code>{last.subject}</code> at stream seq {last.seq}.
        </p>
      )}
      {jobId && <BulkStatus jobId={jobId} onCancel={() => void cancelJob()} />}
    </form>
  );
}

function BulkStatus({ jobId, onCancel }: { jobId: string; onCancel: () => void }) {
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

function HeaderRows({
  rows,
  onChange,
  error,
}: {
  rows: HeaderRow[];
  onChange: (rows: HeaderRow[]) => void;
  error?: string;
}) {
  const set = (i: number, p: Partial<HeaderRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...p } : r)));
  return (
    <div className={`field${error ? ' invalid' : ''}`} data-testid="publish-headers">
      <label>Headers</label>
      {rows.map((r, i) => (
        <div className="header-row" key={i}>
          <input
            aria-label={`Header ${i + 1} name`}
            placeholder="Name"
            value={r.key}
            spellCheck={false}
            onChange={(e) => set(i, { key: e.target.value })}
            data-testid="header-key"
          />
          <input
            aria-label={`Header ${i + 1} value`}
            placeholder="Value"
            value={r.value}
            spellCheck={false}
            onChange={(e) => set(i, { value: e.target.value })}
            data-testid="header-value"
          />
          <button
            type="button"
            className="btn small ghost"
            aria-label={`Remove header ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <div>
        <button
          type="button"
          className="btn small"
          onClick={() => onChange([...rows, { key: '', value: '' }])}
          data-testid="header-add"
        >
          + Add header
        </button>
      </div>
      {error && (
        <span className="field-error" role="alert" data-testid="error-publish-headers">
          {error}
        </span>
      )}
    </div>
  );
}
