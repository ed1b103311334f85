import { useState } from 'react';
import { api } from '../../api';
import type { ConnectionProfile, ImportResult, TestResult } from '../../../api/features/connections';
import { Icon } from '../../ui/Icon';
import { ConfirmDialog } from '../../ui/Modal';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { EmptyState } from '../../ui/States';
import { toastError, toastInfo } from '../toasts/store';
import { connectProfile, disconnect } from './actions';
import { LocalServerCard } from './LocalServerCard';
import { ProfileDialog } from './ProfileDialog';
import { ProfileRow } from './ProfileRow';
import { useConnections } from './store';

type Editing = { mode: 'add' } | { mode: 'edit'; profile: ConnectionProfile };

export function ConnectionsScreen() {
  const profiles = useConnections((s) => s.profiles);
  const [editing, setEditing] = useState<Editing>();
  const [deleting, setDeleting] = useState<ConnectionProfile>();
  const [tests, setTests] = useState<Record<string, TestResult | 'running'>>({});
  const [imported, setImported] = useState<ImportResult>();
  const [importing, setImporting] = useState(false);

  const test = async (p: ConnectionProfile) => {
    setTests((t) => ({ ...t, [p.id]: 'running' }));
    try {
      const r = await api.call('connections.test', { id: p.id });
      setTests((t) => ({ ...t, [p.id]: r }));
    } catch (err) {
      setTests((t) => {
        const { [p.id]: _, ...rest } = t;
        return rest;
      });
      toastError(`Could not test ${p.name}`, err);
    }
  };
  const duplicate = async (p: ConnectionProfile) => {
    try {
      const copy = await api.call('connections.duplicate', { id: p.id });
      toastInfo('Connection duplicated', copy.name);
    } catch (err) {
      toastError(`Could not duplicate ${p.name}`, err);
    }
  };
  const remove = async (p: ConnectionProfile) => {
    setDeleting(undefined);
    try {
      await api.call('connections.delete', { id: p.id });
      toastInfo('Connection deleted', p.name);
    } catch (err) {
      toastError(`Could not delete ${p.name}`, err);
    }
  };
  const importContexts = async () => {
    setImporting(true);
    try {
      setImported(await api.call('connections.importContexts', { includeEnv: true }));
    } catch (err) {
      toastError('Could not import nats CLI contexts', err);
    } finally {
      setImporting(false);
    }
  };

  return (
    <section className="screen" data-testid="connections-screen">
      <ScreenHeader
        title="Connections"
        subtitle="Profiles for the NATS servers JetDeck can connect to. Secrets are stored encrypted and never shown again."
        actions={
          <>
            <button
              className="btn"
              onClick={() => void importContexts()}
              disabled={importing}
              data-testid="import-contexts"
            >
              {importing ? 'Importing…' : 'Import nats CLI contexts'}
            </button>
            <button
              className="btn primary"
              onClick={() => setEditing({ mode: 'add' })}
              data-testid="add-connection"
            >
              <Icon name="plus" size={14} /> Add connection
            </button>
          </>
        }
      />
      {imported && <ImportSummary result={imported} onClose={() => setImported(undefined)} />}
      <LocalServerCard />
      {profiles.length === 0 ? (
        <EmptyState title="No connection profiles yet" testId="connections-empty">
          <p>
            Add one for your NATS server, import your nats CLI contexts, or connect to the embedded local
            server.
          </p>
        </EmptyState>
      ) : (
        <ul className="stack-list" data-testid="profile-list">
          {profiles.map((p) => (
            <ProfileRow
              key={p.id}
              profile={p}
              test={tests[p.id]}
              onConnect={() => void connectProfile(p.id, p.name)}
              onDisconnect={() => void disconnect()}
              onTest={() => void test(p)}
              onEdit={() => setEditing({ mode: 'edit', profile: p })}
              onDuplicate={() => void duplicate(p)}
              onDelete={() => setDeleting(p)}
            />
          ))}
        </ul>
      )}
      {editing && (
        <ProfileDialog
          profile={editing.mode === 'edit' ? editing.profile : undefined}
          onClose={() => setEditing(undefined)}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete connection"
          message={
            <>
              Delete <strong>{deleting.name}</strong> and its stored secrets? This cannot be undone.
            </>
          }
          confirmLabel="Delete"
          danger
          onConfirm={() => void remove(deleting)}
          onCancel={() => setDeleting(undefined)}
        />
      )}
    </section>
  );
}

function ImportSummary({ result, onClose }: { result: ImportResult; onClose: () => void }) {
  return (
    <div className="banner info" role="status" data-testid="import-result">
      <div className="banner-main">
        <strong>
          Imported {result.imported.length} context{result.imported.length === 1 ? '' : 's'}, skipped{' '}
          {result.skipped.length}.
        </strong>
        {result.selected && <span> Selected context: {result.selected}.</span>}
        {result.skipped.length > 0 && (
          <ul className="small">
            {result.skipped.map((s) => (
              <li key={s.file}>
                <code>{s.file}</code>: {s.reason}
              </li>
            ))}
          </ul>
        )}
      </div>
      <button
        className="btn icon-btn ghost"
        onClick={onClose}
        aria-label="Dismiss"
        data-testid="import-result-dismiss"
      >
        <Icon name="close" size={14} />
      </button>
    </div>
  );
}
