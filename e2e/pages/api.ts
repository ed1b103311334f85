import type { MethodInput, MethodName, MethodOutput } from '../../api/contract';
import type { ServeProcess } from '../serve-process';

/** Calls a contract method the way scripts do (POST /api/call/{method}); specs use it to set the scene. */
export async function callApi<N extends MethodName>(
  serve: ServeProcess,
  method: N,
  input?: MethodInput<N>,
): Promise<MethodOutput<N>> {
  const base = new URL(serve.url);
  const res = await fetch(`${base.origin}/api/call/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input ?? {}),
  });
  const body = (await res.json()) as { ok: boolean; result?: unknown; error?: unknown };
  if (!res.ok || !body.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(body.error)}`);
  return body.result as MethodOutput<N>;
}
