import { useState } from 'react';
import { placementTagsSchema, type TopologyReport } from '../../../api/features/tasks';
import { api } from '../../api';
import { Field, FieldInput } from '../../ui/Field';
import { Modal, ModalActions } from '../../ui/Modal';
import { toastInfo } from '../toasts/store';
import { useTasks } from './store';

const REPLICA_CHOICES = [1, 3, 5];

/**
 * The TASKS stream's replicas and placement: what the stream has, what JetDeck creates it with
 * (the user's choice or the cluster default), and a dialog to choose them. Applying changes the
 * existing stream too (tasks.applyTopology), so it asks first; the server's refusal (e.g. R3 on a
 * single server) is shown in the dialog.
 */
export function StreamPlacement({ report }: { report: TopologyReport }) {
  const [open, setOpen] = useState(false);
  const current = report.streamReplicas;
  const tags = report.placement?.tags ?? report.placementTags ?? [];
  return (
    <div className="small muted stream-placement" data-testid="stream-placement">
      TASKS stream: {current !== undefined ? <strong>R{current}</strong> : 'not created yet'} · JetDeck
      creates it with R{report.replicas} (
      {report.replicasChoice === 'chosen' ? 'your choice' : 'cluster default'})
      {tags.length > 0 && <> · placement tags {tags.join(', ')}</>}{' '}
      <button className="btn link" onClick={() => setOpen(true)} data-testid="stream-placement-change">
        Replicas and placement…
      </button>
      {open && <PlacementDialog report={report} onClose={() => setOpen(false)} />}
    </div>
  );
}

function PlacementDialog({ report, onClose }: { report: TopologyReport; onClose: () => void }) {
  const [replicas, setReplicas] = useState(report.streamReplicas ?? report.replicas);
  const [tagsText, setTagsText] = useState((report.placement?.tags ?? report.placementTags ?? []).join(', '));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const apply = async () => {
    const parsed = placementTagsSchema.safeParse(
      tagsText
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    );
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'invalid placement tags');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.call('tasks.applyTopology', {
        confirm: true,
        replicas,
        placementTags: parsed.data,
      });
      useTasks.getState().set({ topology: r.report });
      toastInfo('TASKS replicas and placement applied', `R${replicas}`);
      onClose();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title="TASKS replicas and placement"
      onClose={onClose}
      testId="placement-dialog"
      footer={
        <ModalActions
          onCancel={onClose}
          onSubmit={() => void apply()}
          label="Apply"
          disabled={busy}
          testId="placement-apply"
        />
      }
    >
      <p className="small">
        Applies to the existing TASKS stream for every client, and is what JetDeck creates it with. A cluster
        needs at least as many servers as replicas.
      </p>
      <Field id="placement-replicas" label="Replicas">
        <select
          id="placement-replicas"
          value={replicas}
          onChange={(e) => setReplicas(Number(e.target.value))}
          data-testid="placement-replicas"
        >
          {REPLICA_CHOICES.map((n) => (
            <option key={n} value={n}>
              R{n}
            </option>
          ))}
        </select>
      </Field>
      <FieldInput
        id="placement-tags"
        label="Placement tags"
        error={error}
        hint="comma-separated; empty for none"
        value={tagsText}
        onValue={(v) => setTagsText(v)}
      />
    </Modal>
  );
}
