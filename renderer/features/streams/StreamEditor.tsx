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
import { nanosToSeconds, numberOrUndefined, secondsToNanos, splitList, type Config } from './config-form';
import { errorMessage } from './format';
import { ConfigEditorModal } from './ConfigEditorModal';
import { useConfigDraft } from './use-config-draft';

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
  const { config, setConfig, setJsonError, submitted, setSubmitted, issues, valid, err, set, str, num } =
    useConfigDraft(streamConfigSchema, initial ?? NEW_STREAM, () => {
      setDiff(undefined);
      setServerError(undefined);
    });
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
      config={config}
      setConfig={setConfig}
      setJsonError={setJsonError}
      issues={submitted ? issues?.all : undefined}
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
        <Field id="s-name" label="Name" error={err('name')} hint={editing ? 'cannot be changed' : undefined}>
          <input
            id="s-name"
            value={str('name')}
            disabled={editing}
            onChange={(e) => set('name', e.target.value)}
            data-testid="field-stream-name"
          />
        </Field>
        <Field id="s-desc" label="Description" error={err('description')}>
          <input
            id="s-desc"
            value={str('description')}
            onChange={(e) => set('description', e.target.value)}
          />
        </Field>
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
        <Field id="s-storage" label="Storage" hint={editing ? 'cannot be changed' : undefined}>
          <select
            id="s-storage"
            value={str('storage') || 'file'}
            disabled={editing}
            onChange={(e) => set('storage', e.target.value)}
          >
            <option value="file">file</option>
            <option value="memory">memory</option>
          </select>
        </Field>
        <Field id="s-retention" label="Retention" error={err('retention')}>
          <select
            id="s-retention"
            value={str('retention') || 'limits'}
            onChange={(e) => set('retention', e.target.value)}
            data-testid="field-stream-retention"
          >
            <option value="limits">limits</option>
            <option value="interest">interest</option>
            <option value="workqueue">workqueue</option>
          </select>
        </Field>
        <Field id="s-replicas" label="Replicas" error={err('num_replicas')}>
          <input
            id="s-replicas"
            type="number"
            min={1}
            max={5}
            value={num('num_replicas')}
            onChange={(e) => set('num_replicas', numberOrUndefined(e.target.value))}
          />
        </Field>
      </div>
      <div className="row3">
        <Field id="s-max-msgs" label="Max messages" error={err('max_msgs')} hint="-1 = unlimited">
          <input
            id="s-max-msgs"
            type="number"
            value={num('max_msgs')}
            onChange={(e) => set('max_msgs', numberOrUndefined(e.target.value))}
            data-testid="field-stream-max-msgs"
          />
        </Field>
        <Field id="s-max-bytes" label="Max bytes" error={err('max_bytes')} hint="-1 = unlimited">
          <input
            id="s-max-bytes"
            type="number"
            value={num('max_bytes')}
            onChange={(e) => set('max_bytes', numberOrUndefined(e.target.value))}
          />
        </Field>
        <Field id="s-max-age" label="Max age (seconds)" error={err('max_age')} hint="0 = forever">
          <input
            id="s-max-age"
            type="number"
            min={0}
            value={nanosToSeconds(config.max_age)}
            onChange={(e) => set('max_age', secondsToNanos(e.target.value))}
          />
        </Field>
      </div>
      <div className="row3">
        <Field
          id="s-per-subject"
          label="Max per subject"
          error={err('max_msgs_per_subject')}
          hint="-1 = unlimited"
        >
          <input
            id="s-per-subject"
            type="number"
            value={num('max_msgs_per_subject')}
            onChange={(e) => set('max_msgs_per_subject', numberOrUndefined(e.target.value))}
          />
        </Field>
        <Field
          id="s-msg-size"
          label="Max message size"
          error={err('max_msg_size')}
          hint="bytes, -1 = server max"
        >
          <input
            id="s-msg-size"
            type="number"
            value={num('max_msg_size')}
            onChange={(e) => set('max_msg_size', numberOrUndefined(e.target.value))}
          />
        </Field>
        <Field id="s-dupe" label="Duplicate window (s)" error={err('duplicate_window')}>
          <input
            id="s-dupe"
            type="number"
            min={0}
            value={nanosToSeconds(config.duplicate_window)}
            onChange={(e) => set('duplicate_window', secondsToNanos(e.target.value))}
          />
        </Field>
      </div>
      <div className="row3">
        <Field id="s-discard" label="When full, discard">
          <select
            id="s-discard"
            value={str('discard') || 'old'}
            onChange={(e) => set('discard', e.target.value)}
          >
            <option value="old">old messages</option>
            <option value="new">new messages</option>
          </select>
        </Field>
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
