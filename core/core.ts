import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectionManager } from './connections/connection-manager';
import { ProfileStore } from './connections/profile-store';
import { KeyFileCipher, SecretStore, type SecretCipher } from './connections/secret-store';
import { EventBus } from './events';
import { LocalServer } from './local-server/local-server';
import { Router } from './router';
import { APP_VERSION } from './version';

export interface CoreOptions {
  dataDir: string;
  mode: 'electron' | 'serve' | 'test';
  /** Electron passes a safeStorage cipher; serve and tests use the key-file one. */
  cipher?: SecretCipher;
  natsServerBinary?: string;
}

/**
 * Everything the features share: data folder, event bus, secrets, profiles, the active
 * connection and the managed local server. Plain Node: never imports electron.
 */
export class Core {
  readonly bus = new EventBus();
  readonly router = new Router();
  readonly secrets: SecretStore;
  readonly profiles: ProfileStore;
  readonly connections: ConnectionManager;
  readonly localServer: LocalServer;
  readonly version = APP_VERSION;
  private readonly disposers: (() => void | Promise<void>)[] = [];

  constructor(readonly opts: CoreOptions) {
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    this.secrets = new SecretStore(opts.dataDir, opts.cipher ?? new KeyFileCipher(opts.dataDir));
    this.profiles = new ProfileStore(opts.dataDir, this.secrets);
    this.connections = new ConnectionManager(this.bus);
    this.localServer = new LocalServer(this.bus, {
      dir: join(opts.dataDir, 'nats-server'),
      configuredBinary: opts.natsServerBinary,
    });
  }

  get dataDir(): string {
    return this.opts.dataDir;
  }

  get mode(): CoreOptions['mode'] {
    return this.opts.mode;
  }

  /** Features register cleanup here; run in reverse order on dispose. */
  onDispose(fn: () => void | Promise<void>): void {
    this.disposers.push(fn);
  }

  async dispose(): Promise<void> {
    for (const fn of this.disposers.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error('[jetdeck] dispose failed:', (err as Error).message);
      }
    }
    await this.connections.closeAll();
    await this.localServer.stop();
  }
}
