import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import {
  savedViewInputSchema,
  type SavedView,
  type ViewFilterOf,
  type ViewScreen,
} from '../../../api/features/views';
import { FieldInput } from '../../ui/Field';
import { Modal, ModalActions } from '../../ui/Modal';
import { toastError, toastInfo } from '../toasts/store';
import './views.css';

/**
 * Saved views of one screen: pick one to apply its filter, save the current filter under a
 * name, delete the one applied. They live in the `jetdeck_views` KV bucket, shared by everyone
 * on the account; REST takes the same names as `?view=`.
 */
export function SavedViews<S extends ViewScreen>({
  screen,
  filter,
  onApply,
}: {
  screen: S;
  /** The screen's current filter; undefined when there is nothing to save yet. */
  filter: ViewFilterOf<S> | undefined;
  onApply: (filter: ViewFilterOf<S>) => void;
}) {
  const [views, setViews] = useState<SavedView[]>([]);
  const [applied, setApplied] = useState('');
  const [saving, setSaving] = useState(false);

  const load = useCallback(() => {
    api
      .call('views.list', { screen })
      .then((r) => setViews(r.views))
      .catch(() => setViews([]));
  }, [screen]);
  useEffect(() => {
    load();
    return api.on('views.changed', (e) => e.screen === screen && load());
  }, [screen, load]);

  const apply = (name: string) => {
    setApplied(name);
    const v = views.find((x) => x.name === name);
    if (v) onApply(v.filter as ViewFilterOf<S>);
  };
  const remove = async () => {
    try {
      await api.call('views.delete', { screen, name: applied });
      toastInfo('View deleted', applied);
      setApplied('');
    } catch (err) {
      toastError(`Could not delete view ${applied}`, err);
    }
  };

  return (
    <div className="saved-views" data-testid={`saved-views-${screen}`}>
      <select
        aria-label="Saved views"
        value={applied}
        onChange={(e) => apply(e.target.value)}
        data-testid="saved-view-select"
      >
        <option value="">{views.length ? 'Saved views…' : 'No saved views'}</option>
        {views.map((v) => (
          <option key={v.name} value={v.name} title={v.description}>
            {v.name}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="btn small"
        disabled={!filter}
        onClick={() => setSaving(true)}
        data-testid="saved-view-save"
      >
        Save view…
      </button>
      {applied && (
        <button
          type="button"
          className="btn small danger-ghost"
          onClick={() => void remove()}
          data-testid="saved-view-delete"
        >
          Delete view
        </button>
      )}
      {saving && filter && (
        <SaveDialog
          screen={screen}
          filter={filter}
          initialName={applied}
          onClose={() => setSaving(false)}
          onSaved={(name) => {
            setSaving(false);
            setApplied(name);
          }}
        />
      )}
    </div>
  );
}

function SaveDialog<S extends ViewScreen>({
  screen,
  filter,
  initialName,
  onClose,
  onSaved,
}: {
  screen: S;
  filter: ViewFilterOf<S>;
  initialName: string;
  onClose: () => void;
  onSaved: (name: string) => void;
}) {
  const [name, setName] = useState(initialName);
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const view = { screen, name, description: description.trim() || undefined, filter };
  const check = savedViewInputSchema.safeParse(view);
  const nameError = name && !check.success ? check.error.issues[0]?.message : undefined;

  const save = async () => {
    if (!check.success) return;
    setBusy(true);
    try {
      await api.call('views.save', { view: check.data });
      toastInfo('View saved', `${name} · shared with everyone on this NATS account`);
      onSaved(name);
    } catch (err) {
      toastError(`Could not save view ${name}`, err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title="Save view"
      onClose={onClose}
      testId="saved-view-dialog"
      footer={
        <ModalActions
          onCancel={onClose}
          onSubmit={() => void save()}
          label={busy ? 'Saving…' : 'Save'}
          disabled={busy || !check.success}
          testId="saved-view-submit"
        />
      }
    >
      <div className="form">
        <p className="muted small">
          Saved in the KV bucket jetdeck_views for everyone on this account; a view of the same name is
          replaced. REST: <code>?view={name || 'name'}</code>
        </p>
        <FieldInput
          id="saved-view-name"
          label="Name"
          error={nameError}
          hint='Letters, digits, "_" and "-"'
          className="mono"
          autoFocus
          value={name}
          onValue={(v) => setName(v)}
          onKeyDown={(e) => e.key === 'Enter' && check.success && void save()}
        />
        <FieldInput
          id="saved-view-description"
          label="Description (optional)"
          value={description}
          onValue={(v) => setDescription(v)}
        />
        <pre className="mono small saved-view-filter" data-testid="saved-view-filter">
          {JSON.stringify(filter, null, 2)}
        </pre>
      </div>
    </Modal>
  );
}
