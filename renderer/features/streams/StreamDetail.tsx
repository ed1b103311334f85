import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { isValidSubject, type SourceView, type StreamDetail as Detail } from '../../../api/features/streams';
import { navigate } from '../../navigation';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { JsonView } from '../../ui/JsonView';
import { Modal } from '../../ui/Modal';
import { ErrorState, Skeleton } from '../../ui/States';
import { formatAgo, formatBytes, formatCount } from '../../ui/format';
import { ConsumersPanel } from '../consumers/ConsumersPanel';
import { toastError, toastInfo } from '../toasts/store';
import { BackupButton } from './Backups';
import { errorMessage, formatLimit, formatNanos, formatTime } from './format';
import { PurgeDialog } from './PurgeDialog';
import { StreamEditor } from './StreamEditor';

type Tab = 'overview' | 'subjects' | 'consumers' | 'config';

/** Drawer with everything about one stream and its admin actions. */
export function StreamDetail({ name, onClose }: { name: string; onClose: () => void }) {
  const [detail, setDetail] = useState<Detail>();
  const [error, setError] = useState<unknown>();
  const [tab, setTab] = useState<Tab>('overview');
  const [dialog, setDialog] = useState<'edit' | 'purge' | 'delete'>();
  const [deleting, setDeleting] = useState(false);

  const load = useCallback(() => {
    api
      .call('streams.info', { name })
      .then((d) => {
        setDetail(d);
        setError(undefined);
      })
      .catch(setError);
  }, [name]);
  useEffect(() => {
    load();
    return api.on('streams.changed', (ev) => ev.name === name && ev.change !== 'deleted' && load());
  }, [name, load]);

  const remove = async () => {
    setDeleting(true);
    try {
      await api.call('streams.delete', { name, confirmName: name });
      toastInfo('Stream deleted', name);
      onClose();
    } catch (err) {
      toastError(`Could not delete ${name}`, err);
      setDeleting(false);
    }
  };

  const d = detail;
  return (
    <Modal title={`Stream ${name}`} onClose={onClose} variant="drawer" testId="stream-detail">
      <div className="detail-actions actions">
        <button
          className="btn primary"
          onClick={() => navigate('messages', { stream: name })}
          data-testid="browse-messages"
        >
          Browse messages
        </button>
        <button className="btn" onClick={() => setDialog('edit')} disabled={!d} data-testid="edit-stream">
          Edit
        </button>
        <button
          className="btn"
          onClick={() => setDialog('purge')}
          disabled={!d || d.config.deny_purge === true}
          title={d?.config.deny_purge ? 'This stream denies purge (deny_purge)' : undefined}
          data-testid="purge-stream"
        >
          Purge…
        </button>
        <BackupButton stream={name} />
        <button className="btn danger-ghost" onClick={() => setDialog('delete')} data-testid="delete-stream">
          Delete…
        </button>
      </div>
      <div className="segmented tabs" role="tablist">
        {(['overview', 'subjects', 'consumers', 'config'] as Tab[]).map((t) => (
          <button
            key={t}
            className={tab === t ? 'on' : ''}
            onClick={() => setTab(t)}
            data-testid={`tab-${t}`}
          >
            {t[0].toUpperCase() + t.slice(1)}
          </button>
        ))}
      </div>
      {error !== undefined && !d ? (
        <ErrorState title="Could not read the stream" message={errorMessage(error)} onRetry={load} />
      ) : !d ? (
        <Skeleton rows={6} />
      ) : tab === 'overview' ? (
        <Overview d={d} />
      ) : tab === 'subjects' ? (
        <SubjectCounts name={name} subjects={d.subjects} numSubjects={d.numSubjects} />
      ) : tab === 'consumers' ? (
        <ConsumersPanel stream={name} compact />
      ) : (
        <JsonView value={d.config} testId="stream-config-json" />
      )}
      {dialog === 'edit' && d && (
        <StreamEditor
          initial={d.config}
          capabilities={d.capabilities}
          onClose={() => setDialog(undefined)}
          onSaved={() => {
            setDialog(undefined);
            load();
          }}
        />
      )}
      {dialog === 'purge' && d && (
        <PurgeDialog stream={name} messages={d.messages} onClose={() => setDialog(undefined)} />
      )}
      {dialog === 'delete' && (
        <ConfirmDialog
          title={`Delete stream ${name}`}
          confirmLabel="Delete stream"
          requireText={name}
          busy={deleting}
          onConfirm={() => void remove()}
          onCancel={() => setDialog(undefined)}
          testId="delete-stream-dialog"
        >
          Deletes <b>{name}</b> with its {d ? formatCount(d.messages) : ''} messages and{' '}
          {d ? d.consumers : ''} consumer(s). This cannot be undone.
        </ConfirmDialog>
      )}
    </Modal>
  );
}

function SourceRow({ s }: { s: SourceView }) {
  return (
    <li>
      <b>{s.name}</b>
      {s.filterSubject && <code>{s.filterSubject}</code>} · lag {formatCount(s.lag)} · active{' '}
      {s.activeMs < 0 ? 'never' : `${Math.round(s.activeMs / 1000)} s ago`}
      {s.error && <span className="error-text"> · {s.error}</span>}
    </li>
  );
}

function Overview({ d }: { d: Detail }) {
  const c = d.config;
  return (
    <div className="detail-grid">
      <section className="card">
        <h2>State</h2>
        <dl className="kv" data-testid="stream-state">
          <dt>Messages</dt>
          <dd>{formatCount(d.messages)}</dd>
          <dt>Bytes</dt>
          <dd>{formatBytes(d.bytes)}</dd>
          <dt>First</dt>
          <dd>
            #{formatCount(d.firstSeq)} <span className="muted">{formatTime(d.firstTime)}</span>
          </dd>
          <dt>Last</dt>
          <dd>
            #{formatCount(d.lastSeq)} <span className="muted">{formatTime(d.lastTime)}</span>
          </dd>
          <dt>Deleted</dt>
          <dd>{formatCount(d.deleted)}</dd>
          <dt>Subjects</dt>
          <dd>{d.numSubjects !== undefined ? formatCount(d.numSubjects) : '—'}</dd>
          <dt>Consumers</dt>
          <dd>{formatCount(d.consumers)}</dd>
          <dt>Created</dt>
          <dd>{formatAgo(d.created)}</dd>
        </dl>
      </section>
      <section className="card">
        <h2>Config</h2>
        <dl className="kv">
          <dt>Subjects</dt>
          <dd>{d.subjects.length ? d.subjects.map((s) => <code key={s}>{s} </code>) : '—'}</dd>
          <dt>Storage</dt>
          <dd>{d.storage}</dd>
          <dt>Retention</dt>
          <dd>{d.retention}</dd>
          <dt>Discard</dt>
          <dd>{String(c.discard ?? 'old')}</dd>
          <dt>Max msgs</dt>
          <dd>{formatLimit(c.max_msgs, formatCount)}</dd>
          <dt>Max bytes</dt>
          <dd>{formatLimit(c.max_bytes, formatBytes)}</dd>
          <dt>Max age</dt>
          <dd>{c.max_age ? formatNanos(c.max_age) : 'forever'}</dd>
          <dt>Dedup window</dt>
          <dd>{formatNanos(c.duplicate_window)}</dd>
        </dl>
      </section>
      <section className="card">
        <h2>Replicas</h2>
        {d.cluster ? (
          <>
            <p>
              Leader: <b>{d.cluster.leader ?? 'none'}</b>{' '}
              {d.cluster.name && <span className="muted">({d.cluster.name})</span>}
            </p>
            <ul className="plain">
              {d.cluster.replicas.map((r) => (
                <li key={r.name}>
                  <span className={`dot ${r.offline ? 'bad' : r.current ? 'ok' : 'warn'}`} /> {r.name}{' '}
                  <span className="muted small">
                    {r.offline ? 'offline' : r.current ? 'current' : `behind by ${formatCount(r.lag)}`} · seen{' '}
                    {Math.round(r.activeMs / 1000)} s ago
                  </span>
                </li>
              ))}
              {d.cluster.replicas.length === 0 && <li className="muted">single replica</li>}
            </ul>
          </>
        ) : (
          <p className="muted">R{d.replicas}, not clustered</p>
        )}
      </section>
      <section className="card">
        <h2>Sources and mirror</h2>
        {!d.mirror && d.sources.length === 0 && <p className="muted">None</p>}
        {d.mirror && (
          <>
            <p className="muted small">Mirror of</p>
            <ul className="plain">
              <SourceRow s={d.mirror} />
            </ul>
          </>
        )}
        {d.sources.length > 0 && (
          <ul className="plain">
            {d.sources.map((s) => (
              <SourceRow key={s.name} s={s} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function SubjectCounts({
  name,
  subjects,
  numSubjects,
}: {
  name: string;
  subjects: string[];
  numSubjects?: number;
}) {
  const [filter, setFilter] = useState(subjects.length === 1 ? subjects[0] : '>');
  const [counts, setCounts] = useState<Detail['subjects_counts']>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const valid = isValidSubject(filter);
  const load = useCallback(
    (f: string) => {
      setBusy(true);
      api
        .call('streams.info', { name, subjectsFilter: f })
        .then((d) => {
          setCounts(d.subjects_counts);
          setError(undefined);
        })
        .catch((e: unknown) => setError(errorMessage(e)))
        .finally(() => setBusy(false));
    },
    [name],
  );
  useEffect(() => {
    load(subjects.length === 1 ? subjects[0] : '>');
  }, [load, subjects]);
  const entries = counts ? Object.entries(counts.counts) : [];
  return (
    <div className="form">
      <form
        className="actions"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) load(filter);
        }}
      >
        <input
          className="mono grow"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Subject filter"
          data-testid="subject-filter"
        />
        <button className="btn" disabled={!valid || busy} data-testid="subject-filter-apply">
          Count
        </button>
      </form>
      {!valid && <p className="error-text small">Not a valid subject filter</p>}
      {error && <p className="error-text">{error}</p>}
      {counts && (
        <>
          <p className="muted small" data-testid="subject-counts-summary">
            {formatCount(entries.length)} subject(s), {formatCount(counts.total)} message(s) match{' '}
            <code>{counts.filter}</code>
            {numSubjects !== undefined && ` · ${formatCount(numSubjects)} subjects in the stream`}
            {counts.truncated && ' · list cut off: narrow the filter'}
          </p>
          <div className="table-wrap">
            <table className="data-table" data-testid="subject-counts">
              <thead>
                <tr>
                  <th>Subject</th>
                  <th className="num">Messages</th>
                </tr>
              </thead>
              <tbody>
                {entries.slice(0, 1000).map(([s, n]) => (
                  <tr key={s}>
                    <td className="mono">{s}</td>
                    <td className="num">{formatCount(n)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
