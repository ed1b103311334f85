import type { AppCore } from '../features';

export interface PoolLaunchOptions {
  workers?: number;
  handlers?: string;
  concurrency?: number;
  allowRemoteControl?: boolean;
}

/**
 * `jetdeck serve --workers N --handlers FILE`: starts the in-process pool at launch, now if
 * connected, else as soon as the first connection comes up.
 */
export async function startPoolAtLaunch(core: AppCore, opts: PoolLaunchOptions): Promise<void> {
  const svc = core.features.workers;
  svc.allowRemoteControl = opts.allowRemoteControl ?? false;
  // The module the user named on the command line is the one path API callers may then use (as `cli:<name>`).
  const handlers = opts.handlers ? core.features.files.allow('handlers', opts.handlers, 'cli') : undefined;
  if (!opts.workers) return;
  const settings = { threads: opts.workers, concurrency: opts.concurrency ?? 16, handlers };
  const start = async () => {
    try {
      const st = await svc.start(settings);
      console.log(
        `[jetdeck] worker pool started: ${st.threads} thread(s), concurrency ${st.concurrency}${opts.handlers ? `, handlers ${opts.handlers}` : ''}`,
      );
    } catch (err) {
      console.error(`[jetdeck] could not start the worker pool: ${(err as Error).message}`);
    }
  };
  if (core.connections.connection) {
    await start();
    return;
  }
  console.log('[jetdeck] worker pool waits for a NATS connection');
  let started = false;
  const off = core.connections.onConnected(() => {
    if (started) return;
    started = true;
    off();
    void start();
  });
}
