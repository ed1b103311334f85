import { useState } from 'react';
import { ApiError } from '../../../api/errors';
import { api } from '../../api';
import { Field, FieldInput } from '../../ui/Field';
import { serverIssues } from '../../ui/form-issues';
import { formatBytes } from '../../ui/format';
import { HeaderRows } from '../tasks/HeaderRows';
import { toastError } from '../toasts/store';
import {
  INITIAL_SEND_FORM,
  sendFieldErrors,
  validateSendForm,
  type SendErrors,
  type SendFormValues,
} from './form-model';
import { MessageView } from './MessageView';
import { useCoreNats } from './store';
import { submitHandlers } from '../../ui/submit-handlers';
import { Segmented } from '../../ui/Segmented';

/** Publish one message or send a request and show its reply; Ctrl/⌘+Enter sends. */
export function SendForm() {
  const [f, setF] = useState<SendFormValues>(INITIAL_SEND_FORM);
  const [errors, setErrors] = useState<SendErrors>({});
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  const reply = useCoreNats((s) => s.lastReply);
  const patch = (p: Partial<SendFormValues>) => setF((old) => ({ ...old, ...p }));
  const request = f.mode === 'request';

  const submit = async () => {
    if (busy) return;
    const { errors: errs, call } = validateSendForm(f);
    setErrors(errs);
    if (!call) return;
    setBusy(true);
    setOutcome(undefined);
    try {
      if (call.method === 'core.publish') {
        const r = await api.call('core.publish', call.input);
        setOutcome({ ok: true, text: `Published ${formatBytes(r.bytes)} to ${r.subject}` });
      } else {
        useCoreNats.getState().set({ lastReply: undefined });
        const r = await api.call('core.request', call.input);
        useCoreNats.getState().set({ lastReply: r });
        setOutcome({ ok: true, text: `Reply in ${r.elapsedMs} ms` });
      }
    } catch (err) {
      const issues = err instanceof ApiError ? serverIssues(err.detail) : [];
      if (issues.length) setErrors(sendFieldErrors(issues));
      else if (err instanceof ApiError && (err.code === 'timeout' || err.code === 'not_found'))
        setOutcome({ ok: false, text: err.message });
      else toastError(request ? 'Request failed' : 'Could not publish', err);
    } finally {
      setBusy(false);
    }
  };
  const handlers = submitHandlers(submit);

  return (
    <form className="card cn-send" {...handlers} noValidate data-testid="cn-send">
      <div className="card-head">
        <Segmented
          ariaLabel="Send mode"
          options={['publish', 'request'] as const}
          value={f.mode}
          onChange={(mode) => {
            patch({ mode });
            setErrors({});
            setOutcome(undefined);
          }}
          label={(m) => (m === 'publish' ? 'Publish' : 'Request')}
          testId={(m) => `cn-mode-${m}`}
        />
        <span className="muted small">
          <kbd>Ctrl</kbd>/<kbd>⌘</kbd>+<kbd>Enter</kbd> sends
        </span>
      </div>
      <FieldInput
        id="cn-subject"
        label="Subject"
        error={errors.subject}
        value={f.subject}
        placeholder="orders.new"
        autoComplete="off"
        spellCheck={false}
        onValue={(v) => patch({ subject: v })}
      />
      {request ? (
        <FieldInput
          id="cn-timeout"
          label="Timeout (ms)"
          error={errors.timeoutMs}
          hint="Up to 60 000"
          inputMode="numeric"
          value={f.timeoutMs}
          onValue={(v) => patch({ timeoutMs: v })}
        />
      ) : (
        <FieldInput
          id="cn-reply"
          label="Reply subject (optional)"
          error={errors.reply}
          value={f.reply}
          autoComplete="off"
          spellCheck={false}
          onValue={(v) => patch({ reply: v })}
        />
      )}
      <Field id="cn-payload" label="Payload" error={errors.payload}>
        <textarea
          id="cn-payload"
          className="mono"
          rows={6}
          value={f.payload}
          spellCheck={false}
          placeholder={f.encoding === 'base64' ? 'AAEC…' : '{"hello": "world"}'}
          onChange={(e) => patch({ payload: e.target.value })}
          data-testid="cn-payload"
        />
      </Field>
      <Segmented
        ariaLabel="Payload encoding"
        options={['text', 'base64'] as const}
        value={f.encoding}
        onChange={(encoding) => patch({ encoding })}
        label={(enc) => (enc === 'text' ? 'UTF-8 text' : 'base64 bytes')}
        testId={(enc) => `cn-encoding-${enc}`}
      />
      <HeaderRows rows={f.headers} onChange={(headers) => patch({ headers })} error={errors.headers} />
      <div className="cn-send-foot">
        <button type="submit" className="btn primary" disabled={busy} data-testid="cn-send-submit">
          {busy ? (request ? 'Waiting for a reply…' : 'Publishing…') : request ? 'Send request' : 'Publish'}
        </button>
        {outcome && (
          <span
            className={`small ${outcome.ok ? 'muted' : 'error-text'}`}
            role={outcome.ok ? 'status' : 'alert'}
            data-testid="cn-outcome"
          >
            {outcome.text}
          </span>
        )}
      </div>
      {request && reply && (
        <MessageView m={reply} testId="cn-reply-view" extra={`${reply.elapsedMs} ms`} inline />
      )}
    </form>
  );
}
