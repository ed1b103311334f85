import type { Task } from '../../api/task-wire';

/** What a handler gets besides the task. */
export interface TaskContext {
  /** Aborted when the task is cancelled (tasks.delete) or the runtime gives up on it (timeout, stop). */
  signal: AbortSignal;
  /** 1 on the first delivery. */
  attempt: number;
  /** The worker's name, as it appears in status events. */
  worker: string;
  /** Reports progress (0..1) as a `processing` status event; also keeps the message alive. */
  progress(fraction: number, note?: string): void;
  /** Log lines, forwarded to the worker's log with the task id. */
  log(...args: unknown[]): void;
  /** Tells JetStream the task is still being worked on (resets ack wait and the task timeout). */
  working(): void;
  /**
   * How often long work should call working() (or progress()) to stay alive: a quarter of the
   * consumer's ack wait, between 100 ms and 10 s.
   */
  heartbeatMs: number;
}

export type TaskHandler = (task: Task, ctx: TaskContext) => Promise<unknown> | unknown;
export type HandlerMap = Record<string, TaskHandler>;
