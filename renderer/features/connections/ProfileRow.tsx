import type { ConnectionProfile, TestResult } from '../../../api/features/connections';
import { closeConnection } from './actions';
import { describeStatus } from './describe-status';
import { AUTH_KINDS } from './profile-form-model';
import { useConnections } from './store';
import { TestResultView } from './TestResultView';

const SOURCE_LABEL: Record<ConnectionProfile['source'], string> = {
  user: 'user',
  'nats-context': 'nats context',
  env: 'env',
  local: 'local embedded',
};

interface RowProps {
  profile: ConnectionProfile;
  test?: TestResult | 'running';
  onConnect: () => void;
  onDisconnect: () => void;
  onTest: () => void;
  onEdit: () => void;
  onDuplicate: () => void;
  onDelete: () => void;
}

export function ProfileRow({ profile: p, test, ...on }: RowProps) {
  const status = useConnections((s) => s.status);
  const activeId = useConnections((s) => s.activeId);
  const mine = status.profileId === p.id;
  // The live status names the profile in use; the stored activeId only matters when idle.
  const active = status.profileId && status.state !== 'idle' ? mine : activeId === p.id;
  const live =
    mine &&
    (status.state === 'connected' || status.state === 'reconnecting' || status.state === 'connecting');
  const managed = p.source === 'local';
  /** Open in the background: switching to it reuses the connection. */
  const background = useConnections((s) => s.open.some((o) => o.profileId === p.id && !o.active));
  const described = mine ? describeStatus(status) : undefined;
  const authLabel =
    p.auth.kind === 'none'
      ? 'No authentication'
      : (AUTH_KINDS.find((k) => k.kind === p.auth.kind)?.label ?? p.auth.kind);
  return (
    <li
      className={`profile${active ? ' active' : ''}`}
      data-testid="profile-row"
      data-profile-name={p.name}
      data-active={active}
    >
      <div className="profile-main">
        <div className="profile-title">
          <strong data-testid="profile-name">{p.name}</strong>
          <span className={`badge source-${p.source}`} data-testid="profile-source">
            {SOURCE_LABEL[p.source]}
            {p.selectedContext ? ' (selected)' : ''}
          </span>
          {active && <span className="badge accent">active</span>}
          {background && (
            <span
              className="badge"
              title="Open in the background: switching to it does not reconnect"
              data-testid="profile-open"
            >
              open
            </span>
          )}
        </div>
        <div className="profile-meta muted mono">{p.servers.join(', ')}</div>
        <div className="profile-meta muted">
          {[
            authLabel + (p.auth.user ? ` (${p.auth.user})` : ''),
            p.auth.hasSecret && 'secret stored',
            p.tls?.enabled && 'TLS',
            p.system && 'system account',
          ]
            .filter(Boolean)
            .join(' · ')}
        </div>
        {described && (
          <div
            className={`profile-status tone-${described.tone}`}
            data-testid="profile-status"
            data-state={status.state}
          >
            <span className={`dot ${described.tone}`} /> {described.text}
          </div>
        )}
        {test && (
          <div className="profile-test">
            <span className="muted">Test:</span> <TestResultView result={test} />
          </div>
        )}
      </div>
      <div className="profile-actions">
        {live ? (
          <button className="btn" onClick={on.onDisconnect} data-testid="profile-disconnect">
            Disconnect
          </button>
        ) : (
          <button className="btn primary" onClick={on.onConnect} data-testid="profile-connect">
            {background ? 'Switch to' : 'Connect'}
          </button>
        )}
        {background && (
          <button
            className="btn"
            onClick={() => void closeConnection(p.id, p.name)}
            data-testid="profile-close"
          >
            Close
          </button>
        )}
        <button
          className="btn"
          onClick={on.onTest}
          disabled={test === 'running'}
          data-testid="profile-test-saved"
        >
          Test
        </button>
        {!managed && (
          <button className="btn" onClick={on.onEdit} data-testid="profile-edit">
            Edit
          </button>
        )}
        <button className="btn" onClick={on.onDuplicate} data-testid="profile-duplicate">
          Duplicate
        </button>
        {!managed && (
          <button className="btn danger-ghost" onClick={on.onDelete} data-testid="profile-delete">
            Delete
          </button>
        )}
      </div>
    </li>
  );
}
