import { useState } from 'react';
import { api } from '../../api';
import {
  consumerConfigSchema,
  type ConsumerCapabilities,
  type ConsumerConfigInput,
} from '../../../api/features/streams';
import { DiffTable, type DiffRow } from '../../ui/DiffTable';
import { type Config } from '../streams/config-form';
import { errorMessage } from '../streams/format';
import { ConfigEditorModal } from '../streams/ConfigEditorModal';
import { useConfigDraft } from '../streams/use-config-draft';
import { DraftInput, DraftSelect } from '../streams/DraftFields';
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
  const draft = useConfigDraft(consumerConfigSchema, initial ?? NEW_CONSUMER);
  const { config, setSubmitted, valid, str } = draft;
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
      {...draft.editorProps}
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
        <DraftInput
          draft={draft}
          k="durable_name"
          id="c-name"
          label="Durable name"
          hint={editing ? 'cannot be changed' : 'leave empty for an ephemeral consumer'}
          disabled={editing}
          testId="field-consumer-name"
        />
        <DraftInput draft={draft} k="description" id="c-desc" label="Description" />
      </div>
      <div className="row3">
        <DraftSelect
          draft={draft}
          k="ack_policy"
          id="c-ack"
          label="Ack policy"
          disabled={editing}
          options={['explicit', 'all', 'none']}
          fallback="explicit"
        />
        <DraftSelect
          draft={draft}
          k="deliver_policy"
          id="c-deliver"
          label="Deliver policy"
          disabled={editing}
          options={['all', 'last', 'new', 'by_start_sequence', 'by_start_time', 'last_per_subject']}
          fallback="all"
        />
        {dp === 'by_start_sequence' ? (
          <DraftInput
            draft={draft}
            k="opt_start_seq"
            id="c-start-seq"
            label="Start sequence"
            kind="number"
            min={1}
            disabled={editing}
          />
        ) : dp === 'by_start_time' ? (
          <DraftInput
            draft={draft}
            k="opt_start_time"
            id="c-start-time"
            label="Start time (ISO)"
            disabled={editing}
          />
        ) : (
          <DraftInput
            draft={draft}
            k="filter_subject"
            id="c-filter"
            label="Filter subject"
            mono
            testId="field-consumer-filter"
          />
        )}
      </div>
      <div className="row3">
        <DraftInput draft={draft} k="ack_wait" id="c-ackwait" label="Ack wait (s)" kind="seconds" min={0} />
        <DraftInput
          draft={draft}
          k="max_deliver"
          id="c-maxdel"
          label="Max deliver"
          hint="-1 = unlimited"
          kind="number"
        />
        <DraftInput draft={draft} k="max_ack_pending" id="c-maxack" label="Max ack pending" kind="number" />
      </div>
      {capabilities && !capabilities.multiFilter.supported && (
        <p className="muted small">Several filter subjects: {capabilities.multiFilter.reason}</p>
      )}
    </ConfigEditorModal>
  );
}
