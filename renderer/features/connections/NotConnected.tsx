import type { ReactNode } from 'react';
import { navigate } from '../../navigation';
import { EmptyState } from '../../ui/States';
import { describeStatus } from './describe-status';
import { useConnections } from './store';

const TITLE: Partial<Record<string, string>> = {
  connecting: 'Connecting…',
  reconnecting: 'Connection lost — reconnecting',
  error: 'Could not connect',
};

/**
 * The one placeholder every screen shows while there is no active connection: what the connection
 * is doing now, what the screen needs it for, and the way to the Connections screen.
 */
export function NotConnected({ testId, children }: { testId: string; children?: ReactNode }) {
  const status = useConnections((s) => s.status);
  const { tone, text } = describeStatus(status);
  return (
    <EmptyState title={TITLE[status.state] ?? 'Not connected'} testId={testId}>
      <p data-testid="connection-state">
        <span className={`dot ${tone}`} /> {text}
      </p>
      {children && <p>{children}</p>}
      <button className="btn primary" onClick={() => navigate('connections')} data-testid="go-connections">
        Go to Connections
      </button>
    </EmptyState>
  );
}
