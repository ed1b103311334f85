import { createServer } from 'node:net';

/** Binds `port` (0 = any) on `host` and returns the port it got, or undefined when taken. */
function tryBind(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, host, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolve(got));
    });
  });
}

/** The preferred port when it is free (so saved profiles keep working), else any free one. */
export async function pickPort(
  preferred: number | undefined,
  host = '127.0.0.1',
  avoid: number[] = [],
): Promise<number> {
  if (preferred && !avoid.includes(preferred) && (await tryBind(preferred, host))) return preferred;
  for (let i = 0; i < 20; i++) {
    const port = await tryBind(0, host);
    if (port && !avoid.includes(port)) return port;
  }
  throw new Error(`no free port on ${host}`);
}
