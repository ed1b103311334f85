import { useState } from 'react';
import { api } from '../../api';
import { useUi } from '../../ui/ui-store';
import { toastError } from '../toasts/store';
import { useConnections } from './store';

const STATE_TONE = {
  running: 'ok',
  starting: 'warn',
  stopped: 'idle',
  missing: 'bad',
  error: 'bad',
} as const;

/** The managed local nats-server: its state, start/stop and its log. */
export function LocalServerCard() {
  const local = useConnections((s) => s.local);
  const setUi = useUi((s) => s.set);
  const [busy, setBusy] = useState(false);
  const act = async (m: 'localServer.start' | 'localServer.stop') => {
    setBusy(true);
    try {
      useConnections.getState().setLocal(await api.call(m));
    } catch (err) {
      toastError(
        m === 'localServer.start' ? 'Could not start the local server' : 'Could not stop the local server',
        err,
      );
    } finally {
      setBusy(false);
    }
  };
  if (!local) {
    return (
      <section className="card" data-testid="local-server-card">
        <h2>Embedded local server</h2>
        <p className="muted">Status unavailable.</p>
      </section>
    );
  }
  const running = local.state === 'running' || local.state === 'starting';
  return (
    <section className="card" data-testid="local-server-card" data-state={local.state}>
      <div className="card-head">
        <h2>
          <span className={`dot ${STATE_TONE[local.state]}`} /> Embedded local server
          <span className="badge" data-testid="local-server-state">
            {local.state}
          </span>
        </h2>
        <div className="actions">
          {local.state !== 'missing' &&
            (running ? (
              <button
                className="btn"
                disabled={busy}
                onClick={() => void act('localServer.stop')}
                data-testid="local-server-stop"
              >
                Stop
              </button>
            ) : (
              <button
                className="btn"
                disabled={busy}
                onClick={() => void act('localServer.start')}
                data-testid="local-server-start"
              >
                Start
              </button>
            ))}
          <button className="btn" onClick={() => setUi({ logOpen: true })} data-testid="local-server-log">
            View log
          </button>
        </div>
      </div>
      {local.state === 'running' && (
        <dl className="kv">
          <dt>Client URL</dt>
          <dd className="mono">{local.clientUrl}</dd>
          <dt>Monitor URL</dt>
          <dd className="mono">{local.monitorUrl ?? '—'}</dd>
          <dt>Version</dt>
          <dd>{local.version ?? '—'}</dd>
          <dt>PID</dt>
          <dd>{local.pid ?? '—'}</dd>
          <dt>Store</dt>
          <dd className="mono">{local.storeDir}</dd>
        </dl>
      )}
      {local.state === 'stopped' && local.error && (
        <p className="muted" data-testid="local-server-note">
          {local.error}
        </p>
      )}
      {local.state === 'stopped' && (
        <p className="muted">
          Not running. It starts when you connect to “Local (embedded)”; data is kept in{' '}
          <code>{local.storeDir}</code>.
        </p>
      )}
      {local.state === 'starting' && <p className="muted">Starting…</p>}
      {local.state === 'error' && (
        <p className="error-text" data-testid="local-server-error">
          {local.error ?? 'the local server failed'}
        </p>
      )}
      {local.state === 'missing' && (
        <div data-testid="local-server-missing">
          <p>
            No <code>nats-server</code> binary was found{local.error ? ` (${local.error})` : ''}. You can
            still connect to a remote server. To run one locally
            {local.installHint ? ` on ${local.installHint.os}` : ''}:
          </p>
          {local.installHint && (
            <ol className="steps">
              {local.installHint.steps.map((s) => (
                <li key={s}>
                  <code>{s}</code>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}
