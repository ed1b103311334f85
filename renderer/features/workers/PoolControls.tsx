import { useEffect, useState } from 'react';
import type { PoolStatus } from '../../../api/features/workers';
import { api } from '../../api';
import { Field, FieldInput } from '../../ui/Field';
import { HostFileSelect } from '../files/HostFileSelect';
import { toastError, toastInfo } from '../toasts/store';
import { useWorkers } from './store';

const TYPE_RE = /^[A-Za-z0-9_-]+$/;

/** "a, b" → ['a','b']; undefined when empty. Throws a readable message for a bad name. */
function parseTypes(text: string): string[] | undefined {
  const list = text
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of list)
    if (!TYPE_RE.test(t)) throw new Error(`"${t}" is not a task type (letters, digits, _ and - only)`);
  if (new Set(list).size !== list.length) throw new Error('task types repeat');
  return list.length ? list : undefined;
}

function intIn(text: string, min: number, max: number, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${what} must be a whole number from ${min} to ${max}`);
  return n;
}

async function run(title: string, fn: () => Promise<PoolStatus>): Promise<boolean> {
  try {
    useWorkers.getState().setPool(await fn());
    return true;
  } catch (err) {
    toastError(title, err);
    return false;
  }
}

/** Known handler types for the types field's suggestions (built-ins plus the module's). */
function useHandlerTypes(handlers: string): { types: string[]; error?: string } {
  const [r, setR] = useState<{ types: string[]; error?: string }>({ types: [] });
  useEffect(() => {
    let stale = false;
    const t = setTimeout(() => {
      api.call('workers.handlerTypes', handlers.trim() ? { handlers: handlers.trim() } : {}).then(
        (v) => !stale && setR(v),
        () => {},
      );
    }, 400);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [handlers]);
  return r;
}

/** Start form (pool stopped). */
export function StartForm({ pool }: { pool?: PoolStatus }) {
  const [threads, setThreads] = useState('2');
  const [concurrency, setConcurrency] = useState(String(pool?.concurrency ?? 16));
  const [handlers, setHandlers] = useState(pool?.handlers ?? '');
  const [types, setTypes] = useState(pool?.types?.join(', ') ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const known = useHandlerTypes(handlers);

  const start = async () => {
    const errs: Record<string, string> = {};
    const input: { threads: number; concurrency: number; handlers?: string; types?: string[] } = {
      threads: 1,
      concurrency: 16,
    };
    try {
      input.threads = intIn(threads, 1, 32, 'threads');
    } catch (e) {
      errs.threads = (e as Error).message;
    }
    try {
      input.concurrency = intIn(concurrency, 1, 10_000, 'concurrency');
    } catch (e) {
      errs.concurrency = (e as Error).message;
    }
    try {
      input.types = parseTypes(types);
    } catch (e) {
      errs.types = (e as Error).message;
    }
    if (handlers.trim()) input.handlers = handlers.trim();
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    if (await run('Could not start the worker pool', () => api.call('workers.start', input))) {
      toastInfo('Worker pool started', `${input.threads} thread${input.threads === 1 ? '' : 's'}`);
    }
    setBusy(false);
  };

  return (
    <form
      className="card pool-form"
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
      noValidate
      data-testid="pool-start-form"
    >
      <h2>Start a pool</h2>
      <div className="pool-grid">
        <FieldInput
          id="pool-threads"
          label="Threads"
          error={errors.threads}
          hint="worker_threads, each with its own connection"
          inputMode="numeric"
          value={threads}
          onValue={(v) => setThreads(v)}
        />
        <FieldInput
          id="pool-concurrency"
          label="Concurrency per thread"
          error={errors.concurrency}
          hint="Tasks one thread runs at once"
          inputMode="numeric"
          value={concurrency}
          onValue={(v) => setConcurrency(v)}
        />
        <Field id="pool-handlers" label="Handlers module (optional)" error={known.error}>
          <HostFileSelect
            id="pool-handlers"
            folder="handlers"
            value={handlers}
            onChange={setHandlers}
            emptyLabel="built-ins only: echo, sleep, fail, flaky, cpu"
            testId="pool-handlers"
          />
        </Field>
        <Field
          id="pool-types"
          label="Task types (optional)"
          error={errors.types}
          hint="Empty: a general pool (high, then normal lane). Listed: only those typed lanes."
        >
          <input
            id="pool-types"
            list="pool-type-options"
            value={types}
            spellCheck={false}
            placeholder="e.g. resize, email"
            onChange={(e) => setTypes(e.target.value)}
            data-testid="pool-types"
          />
          <datalist id="pool-type-options">
            {known.types.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </Field>
      </div>
      <div className="actions">
        <button type="submit" className="btn primary" disabled={busy} data-testid="pool-start">
          {busy ? 'Starting…' : 'Start pool'}
        </button>
      </div>
    </form>
  );
}

/** Scale, stop and reconfigure a running pool. */
export function RunningControls({ pool }: { pool: PoolStatus }) {
  const [target, setTarget] = useState(String(pool.threads));
  const [busy, setBusy] = useState<string>();
  const [concurrency, setConcurrency] = useState(String(pool.concurrency));
  const [handlers, setHandlers] = useState(pool.handlers ?? '');
  const [types, setTypes] = useState(pool.types?.join(', ') ?? '');
  const [configError, setConfigError] = useState<string>();
  const stopping = pool.state === 'stopping';

  // Follow the pool when it changes elsewhere (another window, a crash restart).
  useEffect(() => setTarget(String(pool.threads)), [pool.threads]);

  const scale = async (n: number) => {
    if (!Number.isInteger(n) || n < 1 || n > 32) {
      toastError('Cannot scale', new Error('threads must be a whole number from 1 to 32'));
      return;
    }
    setBusy('scale');
    setTarget(String(n));
    await run(`Could not scale to ${n} thread${n === 1 ? '' : 's'}`, () =>
      api.call('workers.scale', { threads: n }),
    );
    setBusy(undefined);
  };
  const stop = async (graceful: boolean) => {
    setBusy(graceful ? 'stop' : 'kill');
    if (await run('Could not stop the pool', () => api.call('workers.stop', { graceful })))
      toastInfo('Worker pool stopped');
    setBusy(undefined);
  };
  const configure = async () => {
    let change: { concurrency?: number; handlers?: string | null; types?: string[] | null };
    try {
      const c = intIn(concurrency, 1, 10_000, 'concurrency');
      const t = parseTypes(types) ?? null;
      change = {};
      if (c !== pool.concurrency) change.concurrency = c;
      if ((handlers.trim() || undefined) !== pool.handlers) change.handlers = handlers.trim() || null;
      if ((t ?? []).join(',') !== (pool.types ?? []).join(',')) change.types = t;
    } catch (e) {
      setConfigError((e as Error).message);
      return;
    }
    setConfigError(undefined);
    if (Object.keys(change).length === 0) {
      setConfigError('nothing changed');
      return;
    }
    setBusy('configure');
    if (await run('Could not reconfigure the pool', () => api.call('workers.configure', change))) {
      toastInfo('Pool reconfigured', 'Threads drained and restarted with the new settings.');
    }
    setBusy(undefined);
  };

  const n = pool.threads;
  return (
    <div className="card pool-controls" data-testid="pool-controls" data-state={pool.state}>
      <div className="card-head">
        <h2>
          Pool{' '}
          <span className={`badge pool-state pool-${pool.state}`} data-testid="pool-state">
            {pool.state === 'stopping' ? 'draining' : pool.state}
          </span>
        </h2>
        <div className="actions">
          <div className="stepper" role="group" aria-label="Threads">
            <button
              className="btn"
              onClick={() => void scale(n - 1)}
              disabled={n <= 1 || busy !== undefined || stopping}
              aria-label="One thread fewer"
              data-testid="pool-scale-down"
            >
              −
            </button>
            <input
              aria-label="Threads"
              inputMode="numeric"
              value={target}
              disabled={stopping}
              onChange={(e) => setTarget(e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && void scale(Number(target))}
              onBlur={() => Number(target) !== n && void scale(Number(target))}
              data-testid="pool-scale-input"
            />
            <button
              className="btn"
              onClick={() => void scale(n + 1)}
              disabled={n >= 32 || busy !== undefined || stopping}
              aria-label="One thread more"
              data-testid="pool-scale-up"
            >
              +
            </button>
          </div>
          <span className="muted small">threads × {pool.concurrency}</span>
          {stopping ? (
            <button
              className="btn danger"
              onClick={() => void stop(false)}
              disabled={busy === 'kill'}
              data-testid="pool-stop-now"
            >
              Stop now
            </button>
          ) : (
            <button
              className="btn danger-ghost"
              onClick={() => void stop(true)}
              disabled={busy !== undefined}
              data-testid="pool-stop"
            >
              {busy === 'stop' ? 'Draining…' : 'Stop (drain)'}
            </button>
          )}
        </div>
      </div>
      {stopping && (
        <div className="banner warn" role="status" data-testid="pool-draining">
          <div className="banner-main">
            Draining: the threads finish their in-flight tasks, then stop. Nothing new is pulled.
          </div>
        </div>
      )}
      <details className="pool-configure">
        <summary>Settings — concurrency, handlers module, task types</summary>
        <div className="pool-grid">
          <FieldInput
            id="cfg-concurrency"
            label="Concurrency per thread"
            inputMode="numeric"
            value={concurrency}
            onValue={(v) => setConcurrency(v)}
          />
          <Field id="cfg-handlers" label="Handlers module">
            <HostFileSelect
              id="cfg-handlers"
              folder="handlers"
              value={handlers}
              onChange={setHandlers}
              emptyLabel="built-ins only"
              testId="cfg-handlers"
            />
          </Field>
          <FieldInput
            id="cfg-types"
            label="Task types"
            error={configError}
            value={types}
            spellCheck={false}
            placeholder="all (general pool)"
            onValue={(v) => setTypes(v)}
          />
        </div>
        <div className="actions">
          <button
            className="btn"
            onClick={() => void configure()}
            disabled={busy !== undefined || stopping}
            data-testid="cfg-apply"
          >
            {busy === 'configure' ? 'Restarting threads…' : 'Apply (drains and restarts the threads)'}
          </button>
        </div>
      </details>
    </div>
  );
}
