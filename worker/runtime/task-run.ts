import type { Task } from '../../api/task-wire';
import type { TaskContext } from '../handlers/types';
import type { TaskMsg } from '../task-msg';

export type AbortReason = 'cancelled' | 'timeout' | 'stopped';

/**
 * A task handed to its handler, as the runtime tracks it. Its slot stays busy until both the
 * runtime's outcome is sent (ack/nak/term, or left for redelivery) and the handler has settled:
 * a handler that ignores its abort signal keeps running, so it keeps counting against
 * `concurrency` (otherwise a redelivery could start beside it).
 */
export class Running {
  reportedProcessing = false;
  deadline: number;
  /** Created only when the handler reads ctx.signal (most fast handlers never do). */
  abort?: AbortController;
  abortReason?: AbortReason;
  /** In the runner's `running`/`byId`: only while a handler's promise is pending. */
  registered = false;
  /** The runtime has taken its outcome (or given up on it); later settlements are ignored. */
  settled = false;
  /** The handler's promise has settled (or the handler was synchronous). */
  handlerDone = false;
  /** The outcome's ack/nak/term was sent (or the message left for redelivery). */
  outcomeDone = false;
  /** Stops the runtime's wait for a pending handler (abort, timeout, stop). */
  giveUp?: (reason: Error) => void;

  constructor(
    readonly msg: TaskMsg,
    readonly task: Task,
    readonly attempt: number,
    /** Attempts this task may have (its max_attempts capped by the consumer's max_deliver). */
    readonly maxAttempts: number,
    readonly startedAt: number,
    timeoutMs: number,
  ) {
    this.deadline = startedAt + timeoutMs;
  }

  get lastAttempt(): boolean {
    return this.attempt >= this.maxAttempts;
  }
}

/** What a handler's context calls back into (one object for all tasks). */
export interface ContextHooks {
  progress(r: Running, fraction: number, note?: string): void;
  log(r: Running, args: unknown[]): void;
  working(r: Running): void;
  worker(): string;
  heartbeatMs(): number;
}

/**
 * The handler's `ctx`. Its functions are created on first use and bound, so handlers may
 * destructure them (`{ signal, progress }`), while a handler that never touches ctx (echo)
 * costs one small object and no closures.
 */
export class HandlerContext implements TaskContext {
  readonly #run: Running;
  readonly #hooks: ContextHooks;
  #progress?: TaskContext['progress'];
  #log?: TaskContext['log'];
  #working?: TaskContext['working'];

  constructor(run: Running, hooks: ContextHooks) {
    this.#run = run;
    this.#hooks = hooks;
  }

  get signal(): AbortSignal {
    const r = this.#run;
    r.abort ??= new AbortController();
    if (r.abortReason && !r.abort.signal.aborted) r.abort.abort(abortError(r.abortReason));
    return r.abort.signal;
  }

  get attempt(): number {
    return this.#run.attempt;
  }

  get worker(): string {
    return this.#hooks.worker();
  }

  get heartbeatMs(): number {
    return this.#hooks.heartbeatMs();
  }

  get progress(): TaskContext['progress'] {
    return (this.#progress ??= (fraction, note) => this.#hooks.progress(this.#run, fraction, note));
  }

  get log(): TaskContext['log'] {
    return (this.#log ??= (...args) => this.#hooks.log(this.#run, args));
  }

  get working(): TaskContext['working'] {
    return (this.#working ??= () => this.#hooks.working(this.#run));
  }
}

export function abortError(reason: AbortReason): Error {
  return new Error(
    reason === 'cancelled' ? 'task cancelled' : reason === 'timeout' ? 'task timed out' : 'worker stopped',
  );
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
