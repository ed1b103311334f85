import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import {
  decodeKvValue,
  kvKeySchema,
  KV_VALUE_FORMATS,
  type KvEntryView,
  type KvValueFormat,
} from '../../../api/features/kv';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { FieldInput } from '../../ui/Field';
import { Modal } from '../../ui/Modal';
import { ErrorState, Skeleton } from '../../ui/States';
import { formatAgo, formatBytes } from '../../ui/format';
import { previewLine } from '../messages/payload';
import { errorMessage, formatTime } from '../streams/format';
import { toastError, toastInfo } from '../toasts/store';
import { convertDraft, defaultFormat, editText } from './model';

type Tab = 'value' | 'history';
const FORMAT_LABELS: Record<KvValueFormat, string> = {
  json: 'JSON',
  text: 'Text',
  hex: 'Hex',
  base64: 'Base64',
};

/** One key: its value in JSON / text / hex / base64, edited and saved at the revision it was read; history; delete and purge. */
export function KeyDrawer({
  bucket,
  keyName,
  onClose,
  onChanged,
}: {
  bucket: string;
  /** Absent to write a new key. */
  keyName?: string;
  onClose: () => void;
  /** After a write, delete or purge (the key list refreshes). */
  onChanged: () => void;
}) {
  const creating = keyName === undefined;
  const [key, setKey] = useState(keyName ?? '');
  const [entry, setEntry] = useState<KvEntryView>();
  const [loadError, setLoadError] = useState<unknown>();
  const [format, setFormat] = useState<KvValueFormat>('json');
  const [draft, setDraft] = useState(creating ? '{}' : '');
  const [dirty, setDirty] = useState(false);
  const [tab, setTab] = useState<Tab>('value');
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<'delete' | 'purge'>();
  const [convertError, setConvertError] = useState<string>();

  const load = useCallback(() => {
    if (creating) return;
    api
      .call('kv.get', { bucket, key: keyName })
      .then((e) => {
        const f = defaultFormat(e);
        setEntry(e);
        setFormat(f);
        setDraft(editText(e.base64, f));
        setDirty(false);
        setLoadError(undefined);
      })
      .catch(setLoadError);
  }, [bucket, keyName, creating]);
  useEffect(load, [load]);

  const valueProblem = (() => {
    const d = decodeKvValue(draft, format);
    return typeof d === 'string' ? d : undefined;
  })();
  const keyCheck = kvKeySchema.safeParse(key);
  const keyProblem = creating && key && !keyCheck.success ? keyCheck.error.issues[0]?.message : undefined;
  const deleted = entry && entry.operation !== 'PUT';

  const switchFormat = (to: KvValueFormat) => {
    // Nothing typed yet: only the format changes.
    const r = draft.trim() ? convertDraft(draft, format, to) : { text: draft };
    if ('error' in r) {
      setConvertError(`Fix the value first: ${r.error}`);
      return;
    }
    setConvertError(undefined);
    setDraft(r.text);
    setFormat(to);
  };

  const save = async () => {
    if (valueProblem || !keyCheck.success) return;
    setBusy(true);
    try {
      const r = await api.call('kv.put', {
        bucket,
        key,
        value: draft,
        format,
        // Written only over what was read: a change made meanwhile is a conflict, not lost.
        expectRevision: entry?.revision ?? 0,
      });
      toastInfo(`Saved ${key}`, `revision ${r.revision}`);
      onChanged();
      if (creating) onClose();
      else load();
    } catch (err) {
      toastError(`Could not save ${key}`, err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (kind: 'delete' | 'purge') => {
    setBusy(true);
    try {
      await api.call(kind === 'delete' ? 'kv.deleteKey' : 'kv.purgeKey', { bucket, key });
      toastInfo(kind === 'delete' ? 'Key deleted' : 'Key purged', key);
      setConfirm(undefined);
      onChanged();
      load();
    } catch (err) {
      toastError(`Could not ${kind} ${key}`, err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={creating ? `New key in ${bucket}` : `Key ${keyName}`}
      onClose={onClose}
      variant="drawer"
      testId="kv-key-drawer"
    >
      {!creating && (
        <div className="segmented tabs" role="tablist">
          {(['value', 'history'] as Tab[]).map((t) => (
            <button
              key={t}
              role="tab"
              aria-selected={tab === t}
              className={tab === t ? 'on' : ''}
              onClick={() => setTab(t)}
              data-testid={`kv-tab-${t}`}
            >
              {t === 'value' ? 'Value' : 'History'}
            </button>
          ))}
        </div>
      )}
      {loadError !== undefined && !entry ? (
        <ErrorState title="Could not read the key" message={errorMessage(loadError)} onRetry={load} />
      ) : !creating && !entry ? (
        <Skeleton rows={5} />
      ) : tab === 'history' ? (
        <History
          bucket={bucket}
          keyName={key}
          onUse={(e) => {
            const f = defaultFormat(e);
            setFormat(f);
            setDraft(editText(e.base64, f));
            setDirty(true);
            setTab('value');
          }}
        />
      ) : (
        <div className="form">
          {creating ? (
            <FieldInput
              id="kv-key"
              label="Key"
              error={keyProblem}
              hint="Dot-separated tokens, e.g. users.42.profile"
              testId="kv-key-name"
              className="mono"
              autoFocus
              value={key}
              onValue={(v) => setKey(v)}
            />
          ) : (
            entry && (
              <dl className="kv compact" data-testid="kv-entry-meta">
                <dt>Revision</dt>
                <dd data-testid="kv-entry-revision">{entry.revision}</dd>
                <dt>Stored</dt>
                <dd title={formatTime(entry.created)}>{formatAgo(entry.created)}</dd>
                <dt>Size</dt>
                <dd>{formatBytes(entry.length)}</dd>
                {deleted && (
                  <>
                    <dt>State</dt>
                    <dd className="kv-deleted">
                      {entry.operation === 'DEL' ? 'deleted' : 'purged'} — saving writes it again
                    </dd>
                  </>
                )}
              </dl>
            )
          )}
          <div className="kv-value-head">
            <div className="segmented" role="tablist" aria-label="Value format">
              {KV_VALUE_FORMATS.map((f) => (
                <button
                  key={f}
                  role="tab"
                  aria-selected={format === f}
                  className={format === f ? 'on' : ''}
                  onClick={() => switchFormat(f)}
                  data-testid={`kv-format-${f}`}
                >
                  {FORMAT_LABELS[f]}
                </button>
              ))}
            </div>
            {dirty && <span className="muted small">edited</span>}
          </div>
          <textarea
            id="kv-value"
            aria-label="Value"
            className="mono kv-value"
            spellCheck={false}
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              setDirty(true);
              setConvertError(undefined);
            }}
            aria-invalid={!!valueProblem}
            aria-describedby={valueProblem ? 'kv-value-error' : undefined}
            data-testid="kv-value"
          />
          {(valueProblem || convertError) && (
            <p className="error-text small" id="kv-value-error" role="alert" data-testid="kv-value-error">
              {convertError ?? valueProblem}
            </p>
          )}
          <div className="actions kv-key-actions">
            <button
              className="btn primary"
              onClick={() => void save()}
              disabled={busy || !!valueProblem || !keyCheck.success || (!creating && !dirty)}
              data-testid="kv-save"
            >
              {busy ? 'Saving…' : creating ? 'Create key' : 'Save'}
            </button>
            {!creating && (
              <>
                <button className="btn" onClick={load} disabled={busy} data-testid="kv-reload">
                  Reload
                </button>
                <button
                  className="btn danger-ghost"
                  onClick={() => setConfirm('delete')}
                  disabled={busy || deleted}
                  data-testid="kv-delete-key"
                >
                  Delete…
                </button>
                <button
                  className="btn danger-ghost"
                  onClick={() => setConfirm('purge')}
                  disabled={busy}
                  data-testid="kv-purge-key"
                >
                  Purge…
                </button>
              </>
            )}
          </div>
        </div>
      )}
      {confirm && (
        <ConfirmDialog
          title={confirm === 'delete' ? `Delete ${key}` : `Purge ${key}`}
          confirmLabel={confirm === 'delete' ? 'Delete' : 'Purge'}
          busy={busy}
          onConfirm={() => void remove(confirm)}
          onCancel={() => setConfirm(undefined)}
          testId="kv-key-confirm"
        >
          {confirm === 'delete' ? (
            <p>
              Writes a delete marker as the newest revision of <b>{key}</b>. Its history stays until it ages
              out.
            </p>
          ) : (
            <p>
              Removes every revision of <b>{key}</b> and leaves one purge marker. This cannot be undone.
            </p>
          )}
        </ConfirmDialog>
      )}
    </Modal>
  );
}

/** Every stored revision, newest first; one can be loaded into the editor. */
function History({
  bucket,
  keyName,
  onUse,
}: {
  bucket: string;
  keyName: string;
  onUse: (e: KvEntryView) => void;
}) {
  const [entries, setEntries] = useState<KvEntryView[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api
      .call('kv.history', { bucket, key: keyName, previewBytes: 1024 })
      .then((r) => setEntries(r.entries))
      .catch(setError);
  }, [bucket, keyName]);
  const use = async (e: KvEntryView) => {
    try {
      onUse(e.truncated ? await api.call('kv.get', { bucket, key: keyName, revision: e.revision }) : e);
    } catch (err) {
      toastError(`Could not read revision ${e.revision}`, err);
    }
  };
  if (error !== undefined)
    return <ErrorState title="Could not read the history" message={errorMessage(error)} />;
  if (!entries) return <Skeleton rows={4} />;
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="kv-history">
        <thead>
          <tr>
            <th className="num">Revision</th>
            <th>Operation</th>
            <th>Stored</th>
            <th>Value</th>
            <th>Action</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.revision} data-testid="kv-history-row">
              <td className="num">{e.revision}</td>
              <td>{e.operation}</td>
              <td title={formatTime(e.created)}>{formatAgo(e.created)}</td>
              <td className="mono kv-preview">
                {e.base64 !== undefined && e.contentType ? previewLine(e.base64, e.contentType, 80) : '—'}
              </td>
              <td>
                {e.operation === 'PUT' && (
                  <button className="btn small" onClick={() => void use(e)} data-testid="kv-history-use">
                    Edit from here
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
