import { useEffect, useMemo, useState } from 'react';
import type { DeadLetterGroup, EditDryRun } from '../../../api/features/dead-letters';
import { api } from '../../api';
import { JsonEditor } from '../../ui/JsonEditor';
import { JsonView } from '../../ui/JsonView';
import { Modal } from '../../ui/Modal';
import { toastError, toastInfo, toEnvelope } from '../toasts/store';
import { checkPatch, starterPatch } from './edit-patch-model';

const SAMPLE = 3;

/**
 * Edit and retry a dead-letter group: a JSON patch applied to every payload of the group. The
 * dry run checks every member and shows before/after for a sample; re-publishing is offered only
 * for the patch text that was dry-run, so what is sent is what was seen.
 */
export function EditRetryDialog({
  group,
  filter,
  onClose,
  onDone,
}: {
  group: DeadLetterGroup;
  filter: { type?: string; q?: string };
  onClose: () => void;
  onDone: () => void;
}) {
  const [text, setText] = useState<string>();
  const [dry, setDry] = useState<{ text: string; result: EditDryRun }>();
  const [busy, setBusy] = useState<'dry' | 'publish'>();
  const [error, setError] = useState<string>();
  const check = useMemo(() => (text === undefined ? undefined : checkPatch(text)), [text]);

  // Start from a real payload of the group: its first field, replaced by itself.
  useEffect(() => {
    let live = true;
    api
      .call('tasks.deadLetters.list', { ...filter, fingerprint: group.fingerprint })
      .then((r) => live && setText((t) => t ?? starterPatch(r.deadLetters[0]?.task?.payload)))
      .catch(() => live && setText((t) => t ?? starterPatch(undefined)));
    return () => {
      live = false;
    };
    // Once per dialog: the filter and group are fixed while it is open.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const runDry = async () => {
    if (!check?.ok || text === undefined) return;
    setBusy('dry');
    setError(undefined);
    try {
      const result = await api.call('tasks.deadLetters.dryRunEdit', {
        ...filter,
        fingerprint: group.fingerprint,
        patch: check.patch,
        sample: SAMPLE,
      });
      setDry({ text, result });
    } catch (err) {
      setError(toEnvelope(err).message);
    } finally {
      setBusy(undefined);
    }
  };
  const publish = async () => {
    if (!check?.ok) return;
    setBusy('publish');
    try {
      const r = await api.call('tasks.deadLetters.editRetry', {
        ...filter,
        fingerprint: group.fingerprint,
        patch: check.patch,
        confirm: true,
      });
      const extra = [
        r.skipped.length ? `${r.skipped.length} skipped (the patch does not apply)` : '',
        r.failed.length ? `${r.failed.length} failed to publish` : '',
      ]
        .filter(Boolean)
        .join(', ');
      if (r.failed.length)
        toastError(
          `${r.failed.length} could not be re-published`,
          new Error(r.failed.map((f) => `${f.id}: ${f.error}`).join('\n')),
        );
      toastInfo(
        `Re-published ${r.retried.length} edited task${r.retried.length === 1 ? '' : 's'}`,
        extra || undefined,
      );
      onDone();
    } catch (err) {
      toastError('Could not re-publish the group', err);
      setBusy(undefined);
    }
  };

  const current = dry && dry.text === text ? dry.result : undefined;
  const canPublish = current !== undefined && current.applicable > 0 && busy === undefined;
  return (
    <Modal
      title="Edit and retry"
      onClose={onClose}
      wide
      testId="edit-retry-dialog"
      footer={
        <>
          <span className="small muted edit-retry-hint">
            {current
              ? `${current.applicable} of ${current.total} will be re-published as new tasks linked to the originals`
              : 'Run a dry run to see what the patch does'}
          </span>
          <button className="btn" onClick={onClose} data-testid="edit-retry-cancel">
            Cancel
          </button>
          <button
            className="btn"
            onClick={() => void runDry()}
            disabled={!check?.ok || busy !== undefined}
            data-testid="edit-retry-dry-run"
          >
            {busy === 'dry' ? 'Checking…' : 'Dry run'}
          </button>
          <button
            className="btn primary"
            onClick={() => void publish()}
            disabled={!canPublish}
            data-testid="edit-retry-publish"
          >
            {busy === 'publish'
              ? 'Publishing…'
              : `Re-publish ${current ? current.applicable : ''} as new tasks`.replace('  ', ' ')}
          </button>
        </>
      }
    >
      <p className="edit-retry-group">
        <strong>{group.count}</strong> dead letter{group.count === 1 ? '' : 's'} failing with{' '}
        <code className="mono">{group.message}</code>
      </p>
      {text === undefined ? (
        <p className="muted small">Loading a payload of the group…</p>
      ) : (
        <>
          <JsonEditor
            label="JSON patch (RFC 6902) applied to each payload"
            value={text}
            onChange={setText}
            rows={7}
            onSubmitShortcut={() => void runDry()}
            testId="edit-retry-patch"
          />
          {check && !check.ok && (
            <p className="field-error small" role="alert" data-testid="edit-retry-patch-error">
              {check.message}
            </p>
          )}
          <p className="small muted">
            Operations: add, remove, replace, move, copy, test. Paths point into the payload (“/field/0”); a
            failed <code>test</code> skips that task.
          </p>
        </>
      )}
      {error && (
        <p className="field-error" role="alert" data-testid="edit-retry-error">
          {error}
        </p>
      )}
      {current && <DryRunResult result={current} />}
      {dry && !current && (
        <p className="small muted" data-testid="edit-retry-stale">
          The patch changed since the dry run: run it again.
        </p>
      )}
    </Modal>
  );
}

function DryRunResult({ result }: { result: EditDryRun }) {
  const skipped = result.total - result.applicable;
  return (
    <div className="dry-run" data-testid="edit-retry-result">
      <p data-testid="edit-retry-summary">
        Applies to <strong>{result.applicable}</strong> of {result.total} payload
        {result.total === 1 ? '' : 's'}
        {skipped > 0 && <> · {skipped} skipped (left as dead letters)</>}
      </p>
      {result.skipped.length > 0 && (
        <ul className="dry-run-skipped small" data-testid="edit-retry-skipped">
          {result.skipped.slice(0, 5).map((s) => (
            <li key={s.id}>
              <span className="mono">{s.id}</span> <span className="error-text">{s.error}</span>
            </li>
          ))}
          {result.skipped.length > 5 && <li className="muted">…and {result.skipped.length - 5} more</li>}
        </ul>
      )}
      <div className="dry-run-samples">
        {result.samples.map((s) => (
          <div className="dry-run-sample" key={s.id} data-testid="edit-retry-sample">
            <div className="small muted mono dry-run-id">
              {s.id} · {s.type}
            </div>
            <div className="dry-run-pair">
              <div>
                <div className="small muted">Before</div>
                <JsonView value={s.before} testId="edit-retry-before" />
              </div>
              <div>
                <div className="small muted">After</div>
                {s.error === undefined ? (
                  <JsonView value={s.after} testId="edit-retry-after" />
                ) : (
                  <p className="small error-text" data-testid="edit-retry-sample-error">
                    {s.error}
                  </p>
                )}
              </div>
            </div>
          </div>
        ))}
      </div>
    </div>
  );
}
