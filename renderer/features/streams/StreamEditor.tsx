import { useState } from 'react';
import { api } from '../../api';
import {
  streamConfigSchema,
  type ServerCapabilities,
  type StreamConfigInput,
  type StreamDiff,
} from '../../../api/features/streams';
import { DiffTable } from '../../ui/DiffTable';
import { Field } from '../../ui/Field';
import { toastError, toastInfo } from '../toasts/store';
import { splitList, type Config } from './config-form';
import { errorMessage } from './format';
import { ConfigEditorModal } from './ConfigEditorModal';
import { useConfigDraft } from './use-config-draft';
import { DraftInput, DraftSelect } from './DraftFields';

const NEW_STREAM: Config = {
  name: '',
  subjects: [],
  storage: 'file',
  retention: 'limits',
  num_replicas: 1,
  discard: 'old',
  max_msgs: -1,
  max_bytes: -1,
  max_age: 0,
};

/** Create a stream, or edit one: form for the common fields, JSON for all, a diff before applying. */
export function StreamEditor({
  initial,
  capabilities,
  onClose,
  onSaved,
}: {
  /** The current config when editing; absent to create. */
  initial?: Config;
  capabilities?: ServerCapabilities;
  onClose: () => void;
  onSaved: (name: string) => void;
}) {
  const editing = !!initial;
  const [busy, setBusy] = useState(false);
  const [diff, setDiff] = useState<StreamDiff>();
  const [serverError, setServerError] = useState<string>();
  const draft = useConfigDraft(streamConfigSchema, initial ?? NEW_STREAM, () => {
    setDiff(undefined);
    setServerError(undefined);
  });
  const { config, setSubmitted, valid, err, set, str } = draft;
  const cap = (name: keyof ServerCapabilities['features']) => capabilities?.features[name];

  const submit = async () => {
    setSubmitted(true);
    setServerError(undefined);
    if (!valid) return;
    const cfg = config as StreamConfigInput;
    setBusy(true);
    try {
      if (!editing) {
        await api.call('streams.create', { config: cfg });
        toastInfo('Stream created', cfg.name);
        onSaved(cfg.name);
      } else if (!diff) {
        setDiff(await api.call('streams.diff', { config: cfg }));
      } else {
        await api.call('streams.update', { config: cfg });
        toastInfo('Stream updated', cfg.name);
        onSaved(cfg.name);
      }
    } catch (e) {
      setServerError(errorMessage(e));
      toastError(editing ? 'Could not update the stream' : 'Could not create the stream', e);
    } finally {
      setBusy(false);
    }
  };

  const compression = cap('compression');

  return (
    <ConfigEditorModal
      title={editing ? `Edit stream ${String(initial.name)}` : 'New stream'}
      testId="stream-editor"
      testIdPrefix="editor"
      jsonTestId="stream-json"
      onClose={onClose}
      {...draft.editorProps}
      serverError={serverError}
      status={diff ? `${diff.changes.length} change(s) — review, then apply` : 'Checked before sending'}
      review={
        diff && (
          <div className="form" data-testid="stream-diff">
            {diff.problems.length > 0 && (
              <div className="banner error" role="alert">
                <div className="banner-main">
                  The server would refuse this edit:
                  <ul>
                    {diff.problems.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                  </ul>
                </div>
              </div>
            )}
            <DiffTable
              rows={diff.changes.map((c) => ({
                ...c,
                problem: c.immutable ? 'cannot be changed on an existing stream' : undefined,
              }))}
            />
          </div>
        )
      }
      onBack={() => setDiff(undefined)}
      submitLabel={busy ? 'Working…' : !editing ? 'Create stream' : diff ? 'Apply changes' : 'Review changes'}
      submitDisabled={busy || (!!diff && (diff.changes.length === 0 || diff.problems.length > 0))}
      onSubmit={() => void submit()}
    >
      <div className="row2">
        <DraftInput
          draft={draft}
          k="name"
          id="s-name"
          label="Name"
          hint={editing ? 'cannot be changed' : undefined}
          disabled={editing}
          testId="field-stream-name"
        />
        <DraftInput draft={draft} k="description" id="s-desc" label="Description" />
      </div>
      <Field
        id="s-subjects"
        label="Subjects"
        error={err('subjects')}
        hint="comma or newline separated; wildcards allowed"
      >
        <textarea
          id="s-subjects"
          rows={2}
          className="mono"
          value={Array.isArray(config.subjects) ? (config.subjects as string[]).join(', ') : ''}
          onChange={(e) => set('subjects', splitList(e.target.value))}
          data-testid="field-stream-subjects"
        />
      </Field>
      <div className="row3">
        <DraftSelect
          draft={draft}
          k="storage"
          id="s-storage"
          label="Storage"
          hint={editing ? 'cannot be changed' : undefined}
          disabled={editing}
          options={['file', 'memory']}
          fallback="file"
        />
        <DraftSelect
          draft={draft}
          k="retention"
          id="s-retention"
          label="Retention"
          options={['limits', 'interest', 'workqueue']}
          fallback="limits"
          testId="field-stream-retention"
        />
        <DraftInput
          draft={draft}
          k="num_replicas"
          id="s-replicas"
          label="Replicas"
          kind="number"
          min={1}
          max={5}
        />
      </div>
      <div className="row3">
        <DraftInput
          draft={draft}
          k="max_msgs"
          id="s-max-msgs"
          label="Max messages"
          hint="-1 = unlimited"
          kind="number"
          testId="field-stream-max-msgs"
        />
        <DraftInput
          draft={draft}
          k="max_bytes"
          id="s-max-bytes"
          label="Max bytes"
          hint="-1 = unlimited"
          kind="number"
        />
        <DraftInput
          draft={draft}
          k="max_age"
          id="s-max-age"
          label="Max age (seconds)"
          hint="0 = forever"
          kind="seconds"
          min={0}
        />
      </div>
      <div className="row3">
        <DraftInput
          draft={draft}
          k="max_msgs_per_subject"
          id="s-per-subject"
          label="Max per subject"
          hint="-1 = unlimited"
          kind="number"
        />
        <DraftInput
          draft={draft}
          k="max_msg_size"
          id="s-msg-size"
          label="Max message size"
          hint="bytes, -1 = server max"
          kind="number"
        />
        <DraftInput
          draft={draft}
          k="duplicate_window"
          id="s-dupe"
          label="Duplicate window (s)"
          kind="seconds"
          min={0}
        />
      </div>
      <div className="row3">
        <DraftSelect
          draft={draft}
          k="discard"
          id="s-discard"
          label="When full, discard"
          options={[
            ['old', 'old messages'],
            ['new', 'new messages'],
          ]}
          fallback="old"
        />
        <Field
          id="s-compression"
          label="Compression"
          hint={compression && !compression.supported ? compression.reason : undefined}
        >
          <select
            id="s-compression"
            value={str('compression') || 'none'}
            disabled={!!compression && !compression.supported}
            title={compression?.reason}
            onChange={(e) => set('compression', e.target.value === 'none' ? undefined : e.target.value)}
            data-testid="field-stream-compression"
          >
            <option value="none">none</option>
            <option value="s2">s2</option>
          </select>
        </Field>
        <div className="checks">
          {(['allow_direct', 'deny_delete', 'deny_purge', 'allow_rollup_hdrs'] as const).map((k) => (
            <label className="check" key={k}>
              <input
                type="checkbox"
                checked={config[k] === true}
                onChange={(e) => set(k, e.target.checked)}
              />{' '}
              {k}
            </label>
          ))}
        </div>
      </div>
      <p className="muted small">
        Sources, mirror, placement, republish and newer fields are in the JSON tab.
        {capabilities && ` Connected server: ${capabilities.serverVersion}.`}
      </p>
    </ConfigEditorModal>
  );
}
