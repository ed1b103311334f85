import { randomUUID } from 'node:crypto';

/**
 * One connected UI client (a WebSocket, an Electron webContents): what it starts on the server
 * (live tails, their consumers) registers a cleanup here and ends when the client goes away.
 * Transports create a scope per client and close it when the client disconnects or reloads.
 */
export class ClientScope {
  readonly id = randomUUID();
  private readonly cleanups = new Set<() => void>();
  private closedFlag = false;

  /** `label` names the client in logs and errors (e.g. "ws 127.0.0.1:53012"). */
  constructor(readonly label: string) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Runs `fn` when the client goes away (at once if it already has); returns a remover. */
  onClose(fn: () => void): () => void {
    if (this.closedFlag) {
      runSafe(fn);
      return () => {};
    }
    this.cleanups.add(fn);
    return () => this.cleanups.delete(fn);
  }

  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    const fns = [...this.cleanups];
    this.cleanups.clear();
    fns.forEach(runSafe);
  }
}

function runSafe(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error('[jetdeck] client cleanup failed:', (err as Error).message);
  }
}
