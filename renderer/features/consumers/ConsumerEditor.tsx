import { useState } from 'react';
import { api } from '../../api';
import {
  consumerConfigSchema,
  type ConsumerCapabilities,
  type ConsumerConfigInput,
} from '../../../api/features/streams';
import { DiffTable, type DiffRow } from '../../ui/DiffTable';
import { Field } from '../../ui/Field';
import { nanosToSeconds, numberOrUndefined, secondsToNanos, type Config } from '../streams/config-form';
import { errorMessage } from '../streams/format';
import { ConfigEditorModal } from '../streams/ConfigEditorModal';
import { useConfigDraft } from '../streams/use-config-draft';
import { toastError, toastInfo } from '../toasts/store';

const NEW_CONSUMER: Config = {
  durable_name: '',
  ack_policy: 'explicit',
  deliver_policy: 'all',
  ack_wait: 30e9,
  max_deliver: -1,
};

/** Top-level field changes, for the review step of an edit. */
function topLevelDiff(before: Config, after: Config): DiffRow[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const rows: DiffRow[] = [];
  for (const k of keys) {
    const a = JSON.stringify(before[k]);
    const b = JSON.stringify(after[k]);
    if (a === b) continue;
    rows.push({
      path: k,
      kind: before[k] === undefined ? 'added' : after[k] === undefined ? 'removed' : 'changed',
      before: before[k],
      after: after[k],
    });
  }
  return rows;
}

/** Create a consumer on `stream`, or edit one (`initial` set): form, full JSON, diff before applying. */
export function ConsumerEditor({
  stream,
  initial,
  capabilities,
  onClose,
  onSaved,
}: {
  stream: string;
  initial?: Config;
  capabilities?: ConsumerCapabilities;
  onClose: () => void;
  onSaved: () => void;
}) {
  const editing = !!initial;
  const { config, setConfig, setJsonError, submitted, setSubmitted, issues, valid, err, set, str, num } =
    useConfigDraft(consumerConfigSchema, initial ?? NEW_CONSUMER);
  const [reviewing, setReviewing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string>();
  const name = String(initial?.durable_name ?? initial?.name ?? '');

  const submit = async () => {
    setSubmitted(true);
    setServerError(undefined);
    if (!valid) return;
    if (editing && !reviewing) return setReviewing(true);
    setBusy(true);
    try {
      const cfg = config as ConsumerConfigInput;
      if (editing) await api.call('consumers.update', { stream, name, config: cfg });
      else await api.call('consumers.create', { stream, config: cfg });
      toastInfo(
        editing ? 'Consumer updated' : 'Consumer created',
        `${stream} › ${cfg.durable_name ?? cfg.name ?? ''}`,
      );
      onSaved();
    } catch (e) {
      setServerError(errorMessage(e));
      toastError(editing ? 'Could not update the consumer' : 'Could not create the consumer', e);
    } finally {
      setBusy(false);
    }
  };
  const dp = str('deliver_policy') || 'all';

  return (
    <ConfigEditorModal
      title={editing ? `Edit consumer ${name}` : `New consumer on ${stream}`}
      testId="consumer-editor"
      testIdPrefix="consumer"
      jsonTestId="consumer-json"
      onClose={onClose}
      config={config}
      setConfig={setConfig}
      setJsonError={setJsonError}
      issues={submitted ? issues?.all : undefined}
      serverError={serverError}
      review={reviewing && initial && <DiffTable rows={topLevelDiff(initial, config)} />}
      onBack={() => setReviewing(false)}
      submitLabel={
        busy ? 'Working…' : !editing ? 'Create consumer' : reviewing ? 'Apply changes' : 'Review changes'
      }
      submitDisabled={busy}
      onSubmit={() => void submit()}
    >
      <div className="row2">
        <Field
          id="c-name"
          label="Durable name"
          error={err('durable_name')}
          hint={editing ? 'cannot be changed' : 'leave empty for an ephemeral consumer'}
        >
          <input
            id="c-name"
            value={str('durable_name')}
            disabled={editing}
            onChange={(e) => set('durable_name', e.target.value)}
            data-testid="field-consumer-name"
          />
        </Field>
        <Field id="c-desc" label="Description" error={err('description')}>
          <input
            id="c-desc"
            value={str('description')}
            onChange={(e) => set('description', e.target.value)}
          />
        </Field>
      </div>
      <div className="row3">
        <Field id="c-ack" label="Ack policy" error={err('ack_policy')}>
          <select
            id="c-ack"
            value={str('ack_policy') || 'explicit'}
            disabled={editing}
            onChange={(e) => set('ack_policy', e.target.value)}
          >
            <option value="explicit">explicit</option>
            <option value="all">all</option>
            <option value="none">none</option>
          </select>
        </Field>
        <Field id="c-deliver" label="Deliver policy" error={err('deliver_policy')}>
          <select
            id="c-deliver"
            value={dp}
            disabled={editing}
            onChange={(e) => set('deliver_policy', e.target.value)}
          >
            {['all', 'last', 'new', 'by_start_sequence', 'by_start_time', 'last_per_subject'].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </Field>
        {dp === 'by_start_sequence' ? (
          <Field id="c-start-seq" label="Start sequence" error={err('opt_start_seq')}>
            <input
              id="c-start-seq"
              type="number"
              min={1}
              value={num('opt_start_seq')}
              disabled={editing}
              onChange={(e) => set('opt_start_seq', numberOrUndefined(e.target.value))}
            />
          </Field>
        ) : dp === 'by_start_time' ? (
          <Field id="c-start-time" label="Start time (ISO)" error={err('opt_start_time')}>
            <input
              id="c-start-time"
              value={str('opt_start_time')}
              disabled={editing}
              onChange={(e) => set('opt_start_time', e.target.value)}
            />
          </Field>
        ) : (
          <Field id="c-filter" label="Filter subject" error={err('filter_subject')}>
            <input
              id="c-filter"
              className="mono"
              value={str('filter_subject')}
              onChange={(e) => set('filter_subject', e.target.value)}
              data-testid="field-consumer-filter"
            />
          </Field>
        )}
      </div>
      <div className="row3">
        <Field id="c-ackwait" label="Ack wait (s)" error={err('ack_wait')}>
          <input
            id="c-ackwait"
            type="number"
            min={0}
            value={nanosToSeconds(config.ack_wait)}
            onChange={(e) => set('ack_wait', secondsToNanos(e.target.value))}
          />
        </Field>
        <Field id="c-maxdel" label="Max deliver" error={err('max_deliver')} hint="-1 = unlimited">
          <input
            id="c-maxdel"
            type="number"
            value={num('max_deliver')}
            onChange={(e) => set('max_deliver', numberOrUndefined(e.target.value))}
          />
        </Field>
        <Field id="c-maxack" label="Max ack pending" error={err('max_ack_pending')}>
          <input
            id="c-maxack"
            type="number"
            value={num('max_ack_pending')}
            onChange={(e) => set('max_ack_pending', numberOrUndefined(e.target.value))}
          />
        </Field>
      </div>
      {capabilities && !capabilities.multiFilter.supported && (
        <p className="muted small">Several filter subjects: {capabilities.multiFilter.reason}</p>
      )}
    </ConfigEditorModal>
  );
}
