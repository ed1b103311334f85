import { useEffect, useState } from 'react';
import type { WorkerCard as Card, WorkerState } from '../../../api/features/workers';
import { useWorkers } from './store';

const STATE_TONE: Record<WorkerState, string> = {
  starting: 'accent',
  running: 'ok',
  draining: 'warn',
  stopped: 'idle',
  crashed: 'bad',
  restarting: 'warn',
};
const MAX_CURRENT_SHOWN = 5;

/** Re-renders every `ms` so elapsed times tick between stats events. */
function useTick(ms: number, active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms, active]);
  return now;
}

function ms(v: number): string {
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 1000) return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
  return `${(v / 1000).toFixed(1)} s`;
}

function elapsed(v: number): string {
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  return `${Math.floor(v / 60_000)}m ${Math.round((v % 60_000) / 1000)}s`;
}

export function WorkerCard({ w }: { w: Card }) {
  const receivedAt = useWorkers((s) => s.receivedAt);
  const now = useTick(250, w.current.length > 0);
  const since = Math.max(0, now - receivedAt);
  return (
    <article
      className="card worker-card"
      data-testid="worker-card"
      data-worker-id={w.id}
      data-state={w.state}
    >
      <div className="card-head">
        <h2 className="mono worker-name">{w.id}</h2>
        <span className={`badge worker-state tone-${STATE_TONE[w.state]}`} data-testid="worker-state">
          {w.state}
        </span>
      </div>
      <div className="worker-figures">
        <div>
          <span className="figure-label">processed</span>
          <span className="figure-value" data-testid="worker-processed">
            {w.processed.toLocaleString('en-US')}
          </span>
        </div>
        <div>
          <span className="figure-label">failed</span>
          <span className={`figure-value${w.failed ? ' tone-bad' : ''}`} data-testid="worker-failed">
            {w.failed.toLocaleString('en-US')}
          </span>
        </div>
        <div>
          <span className="figure-label">throughput</span>
          <span className="figure-value">
            {w.throughput.toLocaleString('en-US', { maximumFractionDigits: 1 })}/s
          </span>
        </div>
      </div>
      <dl className="kv compact latency" aria-label="Latency, handler start to ack">
        <dt>p50</dt>
        <dd>{ms(w.p50)}</dd>
        <dt>p95</dt>
        <dd>{ms(w.p95)}</dd>
        <dt>p99</dt>
        <dd>{ms(w.p99)}</dd>
        <dt>retried</dt>
        <dd>{w.retried.toLocaleString('en-US')}</dd>
        {w.restarts > 0 && (
          <>
            <dt>restarts</dt>
            <dd className="tone-warn">{w.restarts}</dd>
          </>
        )}
      </dl>
      <div className="worker-current" data-testid="worker-current">
        <span className="figure-label">
          running {w.inFlight} task{w.inFlight === 1 ? '' : 's'}
        </span>
        {w.current.length === 0 ? (
          <span className="muted small">idle</span>
        ) : (
          <ul className="plain small">
            {w.current.slice(0, MAX_CURRENT_SHOWN).map((c) => (
              <li key={`${c.id}:${c.attempt}`} className="current-task">
                <span className="mono ellipsis" title={c.id}>
                  {c.id}
                </span>
                <span className="muted">{c.type}</span>
                {c.attempt > 1 && <span className="tone-warn">#{c.attempt}</span>}
                <span className="elapsed" data-testid="current-elapsed">
                  {elapsed(c.elapsedMs + since)}
                </span>
              </li>
            ))}
            {w.current.length > MAX_CURRENT_SHOWN && (
              <li className="muted">… and {w.current.length - MAX_CURRENT_SHOWN} more</li>
            )}
          </ul>
        )}
      </div>
      {w.lastError && (
        <p className="small error-text worker-error" title={w.lastError}>
          {w.lastError}
        </p>
      )}
    </article>
  );
}
