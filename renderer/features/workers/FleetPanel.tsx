import { useState } from 'react';
import type { ControlAction, FleetList, FleetWorker } from '../../../api/features/fleet';
import { api } from '../../api';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { usePolling } from '../../ui/usePolling';
import { toastError, toastInfo } from '../toasts/store';

const POLL_MS = 2000;

/**
 * The fleet: every `jetdeck-worker` NATS service on the cluster (this app's pool, `jetdeck
 * worker` processes anywhere), read from `$SRV.STATS` by the core. Control goes through each
 * worker's service endpoints and works only where the worker allows remote control.
 */
export function FleetPanel({ connected }: { connected: boolean }) {
  const polled = usePolling(() => api.call('fleet.list'), POLL_MS, connected);
  const [draining, setDraining] = useState<FleetWorker>();
  const list: FleetList | undefined = polled.data;

  const control = async (w: FleetWorker, action: ControlAction, concurrency?: number) => {
    try {
      if (action === 'concurrency' && concurrency !== undefined)
        await api.call('fleet.control', { id: w.id, action, concurrency });
      else if (action !== 'concurrency') await api.call('fleet.control', { id: w.id, action });
      toastInfo(`${w.worker}: ${action === 'concurrency' ? `concurrency ${concurrency}` : action} requested`);
      polled.retry();
    } catch (err) {
      toastError(`Could not ${action} ${w.worker}`, err);
    }
  };

  return (
    <div className="card fleet" data-testid="fleet-panel">
      <div className="card-head">
        <h2>Fleet</h2>
        <span className="muted small">
          every <code>jetdeck-worker</code> NATS service on this cluster · what <code>nats micro ls</code>{' '}
          shows
        </span>
      </div>
      {list && list.unserved.length > 0 && (
        <div className="banner warn" role="status" data-testid="fleet-unserved">
          <div className="banner-main">
            {list.unserved.map((u) => (
              <div key={u.subject} data-testid="unserved-lane" data-subject={u.subject}>
                <strong>{u.subject}</strong>: {u.pending.toLocaleString('en-US')} task
                {u.pending === 1 ? '' : 's'} waiting, no worker serves{' '}
                {u.type ? (
                  <>
                    type <code>{u.type}</code> (start one with <code>--types {u.type}</code>)
                  </>
                ) : (
                  'the general lanes'
                )}
              </div>
            ))}
          </div>
        </div>
      )}
      {polled.phase === 'error' && !list && (
        <p className="muted" data-testid="fleet-error">
          Could not list the fleet.
        </p>
      )}
      {list && list.workers.length === 0 && (
        <p className="muted" data-testid="fleet-empty">
          No worker answers on this cluster. Start the pool above, or run{' '}
          <code>jetdeck worker --nats URL</code> on any machine: it shows up here.
        </p>
      )}
      {list && list.workers.length > 0 && (
        <div className="table-scroll">
          <table className="data-table fleet-table" data-testid="fleet-table">
            <thead>
              <tr>
                <th>Worker</th>
                <th>Lanes</th>
                <th>State</th>
                <th className="num" title="Tasks at once per thread (× threads)">
                  Conc.
                </th>
                <th className="num">In flight</th>
                <th className="num">Processed</th>
                <th className="num">Failed</th>
                <th className="num" title="Handler latency, 95th percentile">
                  p95 ms
                </th>
                <th title="Drain, pause/resume and concurrency through the worker's service endpoints">
                  Control
                </th>
              </tr>
            </thead>
            <tbody>
              {list.workers.map((w) => (
                <FleetRow
                  key={w.id}
                  w={w}
                  onControl={(a, n) => void control(w, a, n)}
                  onDrain={() => setDraining(w)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {draining && (
        <ConfirmDialog
          title={`Drain ${draining.worker}?`}
          confirmLabel="Drain"
          onCancel={() => setDraining(undefined)}
          onConfirm={() => {
            const w = draining;
            setDraining(undefined);
            void control(w, 'drain');
          }}
          testId="fleet-drain-confirm"
        >
          <p>
            It finishes the tasks it is running, takes no new ones and stops
            {draining.kind === 'process' ? ' (the process exits)' : ''}. Tasks waiting go to the other
            workers.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function FleetRow({
  w,
  onControl,
  onDrain,
}: {
  w: FleetWorker;
  onControl: (a: ControlAction, concurrency?: number) => void;
  onDrain: () => void;
}) {
  const s = w.status;
  const state = !w.answering ? 'not answering' : (s?.state ?? 'unknown');
  const [conc, setConc] = useState('');
  const live = w.answering && s && s.state !== 'stopped' && s.state !== 'draining';
  const why = w.remoteControl
    ? undefined
    : w.local
      ? 'Use the pool controls above; start serve with --allow-remote-control to allow other JetDecks'
      : 'This worker was started without --allow-remote-control';
  const n = Number(conc);
  const concOk = Number.isInteger(n) && n >= 1 && n <= 10_000;
  return (
    <tr
      data-testid="fleet-row"
      data-worker={w.worker}
      data-id={w.id}
      data-state={state}
      data-local={w.local ? 'true' : 'false'}
    >
      <td>
        <div className="fleet-name" title={`service id ${w.id}`}>
          <strong>{w.worker}</strong>
          <span className="badge">{w.kind === 'pool' ? 'pool' : 'process'}</span>
          {w.local && <span className="badge accent">this app</span>}
        </div>
        <div className="muted small">
          {w.host} · pid {w.pid} · v{w.version}
        </div>
      </td>
      <td className="small lanes-cell">
        {w.types?.length ? w.types.map((t) => `typed ${t}`).join(', ') : w.lanes.join(', ')}
      </td>
      <td>
        <span className={`fleet-state fleet-${state.replace(' ', '-')}`} data-testid="fleet-state">
          {state}
        </span>
        {!w.answering && (
          <div className="muted small">last seen {new Date(w.lastSeen).toLocaleTimeString()}</div>
        )}
        {w.answering && s?.reason && s.state !== 'running' && <div className="muted small">{s.reason}</div>}
      </td>
      <td className="num" data-testid="fleet-concurrency">
        {s ? `${s.concurrency}${s.threads > 1 ? ` × ${s.threads}` : ''}` : '—'}
      </td>
      <td className="num">{s?.inFlight ?? '—'}</td>
      <td className="num">{s?.processed.toLocaleString('en-US') ?? '—'}</td>
      <td className={`num${s?.failed ? ' tone-bad' : ''}`}>{s?.failed.toLocaleString('en-US') ?? '—'}</td>
      <td className="num">{s ? s.p95 : '—'}</td>
      <td>
        {w.remoteControl ? (
          <div className="fleet-actions">
            {s?.state === 'paused' ? (
              <button
                className="btn small"
                disabled={!w.answering}
                onClick={() => onControl('resume')}
                data-testid="fleet-resume"
              >
                Resume
              </button>
            ) : (
              <button
                className="btn small"
                disabled={!live}
                onClick={() => onControl('pause')}
                data-testid="fleet-pause"
              >
                Pause
              </button>
            )}
            <button
              className="btn small danger"
              disabled={!live && s?.state !== 'paused'}
              onClick={onDrain}
              data-testid="fleet-drain"
            >
              Drain
            </button>
            <input
              className="fleet-conc"
              aria-label={`concurrency of ${w.worker}`}
              inputMode="numeric"
              placeholder={String(s?.concurrency ?? '')}
              value={conc}
              onChange={(e) => setConc(e.target.value)}
              data-testid="fleet-concurrency-input"
            />
            <button
              className="btn small"
              disabled={!live || !concOk}
              title={concOk || !conc ? undefined : 'a whole number from 1 to 10000'}
              onClick={() => {
                onControl('concurrency', n);
                setConc('');
              }}
              data-testid="fleet-concurrency-set"
            >
              Set
            </button>
          </div>
        ) : (
          <span className="muted small" title={why} data-testid="fleet-remote-off">
            off
          </span>
        )}
      </td>
    </tr>
  );
}
