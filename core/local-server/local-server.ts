import type { LocalServerStatus } from '../../api/features/connections';
import type { EventBus } from '../events';

export interface LocalServerOptions {
  /** Where the store (`jetstream/`) and the log live: `<dataDir>/nats-server`. */
  dir: string;
  /** Explicit binary path from settings; JETDECK_NATS_SERVER wins over it. */
  configuredBinary?: string;
}

/**
 * Starts and stops the managed `nats-server -js` of the embedded default.
 * TODO(foundation helper): binary lookup (JETDECK_NATS_SERVER, configured path, resources/bin, PATH),
 * free client + monitor ports, store kept across restarts, captured log, install hint.
 */
export class LocalServer {
  constructor(
    private readonly bus: EventBus,
    private readonly opts: LocalServerOptions,
  ) {}

  status(): LocalServerStatus {
    return { state: 'stopped', storeDir: this.opts.dir };
  }

  async start(): Promise<LocalServerStatus> {
    this.bus.emit('localServer.status', this.status());
    throw new Error('not implemented');
  }

  async stop(): Promise<LocalServerStatus> {
    return this.status();
  }

  log(tail = 500): string[] {
    void tail;
    return [];
  }
}
