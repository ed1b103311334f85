import { useState } from 'react';
import { api } from '../../api';
import { purgeSchema, type PurgeInput } from '../../../api/features/streams';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { Field, FieldInput } from '../../ui/Field';
import { formatCount } from '../../ui/format';
import { toastError, toastInfo } from '../toasts/store';

type Mode = PurgeInput['mode'];

const LABELS: Record<Mode, string> = {
  all: 'Everything',
  subject: 'One subject (wildcards allowed)',
  upToSeq: 'Everything below a sequence',
  keep: 'All but the newest N',
};

/** Purge all / by subject / up to a sequence / keep N, confirmed by typing the stream's name. */
export function PurgeDialog({
  stream,
  messages,
  onClose,
}: {
  stream: string;
  messages: number;
  onClose: () => void;
}) {
  const [mode, setMode] = useState<Mode>('all');
  const [subject, setSubject] = useState('');
  const [seq, setSeq] = useState('');
  const [keep, setKeep] = useState('');
  const [busy, setBusy] = useState(false);

  const input: PurgeInput =
    mode === 'all'
      ? { name: stream, mode }
      : mode === 'subject'
        ? { name: stream, mode, subject }
        : mode === 'upToSeq'
          ? { name: stream, mode, seq: Number(seq), ...(subject ? { subject } : {}) }
          : { name: stream, mode, keep: Number(keep), ...(subject ? { subject } : {}) };
  const check = purgeSchema.safeParse(input);
  const problem = check.success ? undefined : check.error.issues[0]?.message;

  const purge = async () => {
    if (!check.success) return;
    setBusy(true);
    try {
      const r = await api.call('streams.purge', input);
      toastInfo(`Purged ${formatCount(r.purged)} message(s)`, stream);
      onClose();
    } catch (err) {
      toastError(`Could not purge ${stream}`, err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <ConfirmDialog
      title={`Purge stream ${stream}`}
      confirmLabel="Purge"
      requireText={stream}
      busy={busy || !!problem}
      onConfirm={() => void purge()}
      onCancel={onClose}
      testId="purge-dialog"
    >
      <div className="form">
        <p>
          Removes messages from <b>{stream}</b> ({formatCount(messages)} stored). This cannot be undone.
        </p>
        <Field id="purge-mode" label="What to purge">
          <select
            id="purge-mode"
            value={mode}
            onChange={(e) => setMode(e.target.value as Mode)}
            data-testid="purge-mode"
          >
            {(Object.keys(LABELS) as Mode[]).map((m) => (
              <option key={m} value={m}>
                {LABELS[m]}
              </option>
            ))}
          </select>
        </Field>
        {mode !== 'all' && (
          <FieldInput
            id="purge-subject"
            label={mode === 'subject' ? 'Subject' : 'Only subject (optional)'}
            className="mono"
            value={subject}
            onValue={(v) => setSubject(v)}
          />
        )}
        {mode === 'upToSeq' && (
          <FieldInput
            id="purge-seq"
            label="Purge below sequence (it is kept)"
            type="number"
            min={1}
            value={seq}
            onValue={(v) => setSeq(v)}
          />
        )}
        {mode === 'keep' && (
          <FieldInput
            id="purge-keep"
            label="Keep the newest"
            type="number"
            min={0}
            value={keep}
            onValue={(v) => setKeep(v)}
          />
        )}
        {problem && (seq || keep || subject || mode === 'subject') && (
          <p className="error-text small">{problem}</p>
        )}
      </div>
    </ConfirmDialog>
  );
}
