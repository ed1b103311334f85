import { useState } from 'react';
import { api } from '../../api';
import { kvCreateSchema, MAX_KV_HISTORY, type KvCreateInput } from '../../../api/features/kv';
import { Field, FieldInput } from '../../ui/Field';
import { fieldErrors, serverIssues, type FormIssue } from '../../ui/form-issues';
import { Modal, ModalActions } from '../../ui/Modal';
import { ApiError } from '../../../api/errors';
import { toastError, toastInfo } from '../toasts/store';
import { TTL_UNITS, ttlToMs, type TtlUnit } from './model';

type FieldName = 'bucket' | 'description' | 'history' | 'ttlMs' | 'replicas' | 'storage';

/** New bucket: name, history, TTL, replicas, storage; checked with the contract's schema. */
export function CreateBucketDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (b: string) => void;
}) {
  const [bucket, setBucket] = useState('');
  const [description, setDescription] = useState('');
  const [history, setHistory] = useState('1');
  const [ttl, setTtl] = useState('');
  const [unit, setUnit] = useState<TtlUnit>('hours');
  const [replicas, setReplicas] = useState('1');
  const [storage, setStorage] = useState<'file' | 'memory'>('file');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [server, setServer] = useState<FormIssue[]>([]);

  const input: KvCreateInput = {
    bucket,
    description: description.trim() || undefined,
    history: Number(history),
    ttlMs: ttlToMs(ttl, unit),
    replicas: Number(replicas),
    storage,
  };
  const check = kvCreateSchema.safeParse(input);
  const issues = [...(check.success ? [] : check.error.issues), ...server];
  const errors = fieldErrors<FieldName>(issues, (p) => p[0] as FieldName);
  const shown = (f: FieldName) => (submitted || server.length ? errors[f] : undefined);

  const create = async () => {
    setSubmitted(true);
    if (!check.success) return;
    setBusy(true);
    try {
      const s = await api.call('kv.create', input);
      toastInfo('Bucket created', s.bucket);
      onCreated(s.bucket);
    } catch (err) {
      const fromServer = err instanceof ApiError ? serverIssues(err.detail) : [];
      if (fromServer.length) setServer(fromServer);
      else toastError(`Could not create ${bucket}`, err);
    } finally {
      setBusy(false);
    }
  };
  const edit =
    <T,>(f: (v: T) => void) =>
    (v: T) => {
      setServer([]);
      f(v);
    };

  return (
    <Modal
      title="New KV bucket"
      onClose={onClose}
      testId="kv-create-dialog"
      footer={
        <ModalActions
          onCancel={onClose}
          onSubmit={() => void create()}
          label={busy ? 'Creating…' : 'Create bucket'}
          disabled={busy}
          testId="kv-create-submit"
        />
      }
    >
      <div className="form">
        <FieldInput
          id="kv-bucket"
          label="Name"
          error={shown('bucket')}
          hint='Letters, digits, "_" and "-"'
          testId="kv-create-name"
          className="mono"
          autoFocus
          value={bucket}
          onValue={(v) => edit(setBucket)(v)}
          aria-invalid={!!shown('bucket')}
        />
        <FieldInput
          id="kv-description"
          label="Description (optional)"
          error={shown('description')}
          value={description}
          onValue={(v) => edit(setDescription)(v)}
        />
        <div className="kv-form-row">
          <FieldInput
            id="kv-history"
            label="History per key"
            error={shown('history')}
            hint={`Revisions kept, 1..${MAX_KV_HISTORY}`}
            testId="kv-create-history"
            type="number"
            min={1}
            max={MAX_KV_HISTORY}
            value={history}
            onValue={(v) => edit(setHistory)(v)}
          />
          <Field id="kv-ttl" label="Values expire after" error={shown('ttlMs')} hint="Empty or 0: never">
            <span className="kv-ttl">
              <input
                id="kv-ttl"
                inputMode="numeric"
                value={ttl}
                placeholder="never"
                onChange={(e) => edit(setTtl)(e.target.value)}
                data-testid="kv-create-ttl"
              />
              <select
                aria-label="TTL unit"
                value={unit}
                onChange={(e) => setUnit(e.target.value as TtlUnit)}
                data-testid="kv-create-ttl-unit"
              >
                {(Object.keys(TTL_UNITS) as TtlUnit[]).map((u) => (
                  <option key={u}>{u}</option>
                ))}
              </select>
            </span>
          </Field>
        </div>
        <div className="kv-form-row">
          <Field id="kv-replicas" label="Replicas" error={shown('replicas')} hint="1, 3 or 5 on a cluster">
            <select
              id="kv-replicas"
              value={replicas}
              onChange={(e) => edit(setReplicas)(e.target.value)}
              data-testid="kv-create-replicas"
            >
              {[1, 2, 3, 4, 5].map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </Field>
          <Field id="kv-storage" label="Storage" error={shown('storage')}>
            <select
              id="kv-storage"
              value={storage}
              onChange={(e) => setStorage(e.target.value as 'file' | 'memory')}
              data-testid="kv-create-storage"
            >
              <option value="file">file</option>
              <option value="memory">memory</option>
            </select>
          </Field>
        </div>
      </div>
    </Modal>
  );
}
