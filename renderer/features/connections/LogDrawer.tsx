import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { useUi } from '../../ui/ui-store';
import { Modal } from '../../ui/Modal';
import { ErrorState, Skeleton } from '../../ui/States';
import { toEnvelope } from '../toasts/store';
import { useConnections } from './store';

/** The managed nats-server's log: the last lines on open, then live 'localServer.log' events. */
export function LogDrawer() {
  const setUi = useUi((s) => s.set);
  const lines = useConnections((s) => s.log);
  const [phase, setPhase] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [error, setError] = useState('');
  const [attempt, setAttempt] = useState(0);
  const pre = useRef<HTMLPreElement>(null);
  const follow = useRef(true);

  useEffect(() => {
    let live = true;
    api.call('localServer.log', { tail: 2000 }).then(
      (r) => {
        if (!live) return;
        useConnections.getState().setLog(r.lines);
        setPhase('ready');
      },
      (err) => {
        if (!live) return;
        setError(toEnvelope(err).message);
        setPhase('failed');
      },
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  useLayoutEffect(() => {
    const el = pre.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [lines, phase]);

  return (
    <Modal
      title="Local nats-server log"
      variant="drawer"
      onClose={() => setUi({ logOpen: false })}
      testId="log-drawer"
    >
      {phase === 'loading' && <Skeleton rows={8} />}
      {phase === 'failed' && (
        <ErrorState
          title="Could not read the log"
          message={error}
          onRetry={() => {
            setPhase('loading');
            setAttempt(attempt + 1);
          }}
        />
      )}
      {phase === 'ready' && lines.length === 0 && (
        <p className="muted">The local server has not written anything yet.</p>
      )}
      {phase === 'ready' && lines.length > 0 && (
        <pre
          ref={pre}
          className="log"
          data-testid="log-lines"
          onScroll={(e) => {
            const el = e.currentTarget;
            follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          }}
        >
          {lines.join('\n')}
        </pre>
      )}
    </Modal>
  );
}
