import type { TaskDetail } from '../../../api/features/tasks';
import { DEFAULT_SERVE_ORIGIN } from '../../../api/serve-defaults';

/** POSIX shell single-quoting: 'it'\''s'. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The task as it was published (wire format), or rebuilt from the summary when the message is gone. */
export function wireTask(t: TaskDetail): Record<string, unknown> {
  if (t.task) return { ...t.task };
  return { id: t.id, type: t.type, payload: null, created_at: t.published_at };
}

export function asJson(t: TaskDetail): string {
  return JSON.stringify(wireTask(t), null, 2);
}

/** `POST /api/tasks` with the same type, payload and priority (a new id is generated server-side). */
export function asCurl(t: TaskDetail, origin = location.origin): string {
  const base = /^https?:/.test(origin) ? origin : DEFAULT_SERVE_ORIGIN;
  const w = wireTask(t);
  const body: Record<string, unknown> = { type: w.type, payload: w.payload ?? null };
  if (w.priority === 'high') body.priority = 'high';
  if (typeof w.max_attempts === 'number') body.max_attempts = w.max_attempts;
  return [
    `curl -X POST ${shellQuote(`${base}/api/tasks`)}`,
    `  -H 'Authorization: Bearer <token>'`,
    `  -H 'Content-Type: application/json'`,
    `  -d ${shellQuote(JSON.stringify(body))}`,
  ].join(' \\\n');
}

/** The `nats` CLI command that publishes the same message to the same subject with the same id. */
export function asNatsCli(t: TaskDetail): string {
  const subject = t.subject || 'tasks.new';
  const headers = Object.entries(t.headers ?? {})
    .map(([k, v]) => ` -H ${shellQuote(`${k}:${v}`)}`)
    .join('');
  return `nats pub ${subject} ${shellQuote(JSON.stringify(wireTask(t)))} -H ${shellQuote(`Nats-Msg-Id:${t.id}`)}${headers}`;
}
