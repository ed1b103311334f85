import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real nats-server processes for tests: free ports, a temp store each, readiness from the
 * server's own "Server is ready" line, stop / kill -9 / restart on the same ports, clusters,
 * and configs with auth. Everything started is tracked and cleaned up by `stopAll()`.
 */

export const NATS_SERVER_BIN = process.env.JETDECK_NATS_SERVER || 'nats-server';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerOptions {
  /** Enable JetStream (default true). */
  jetstream?: boolean;
  /** Extra config text appended to the generated config (auth blocks, accounts, tls...). */
  extraConfig?: string;
  /** Server name (default random). */
  name?: string;
  /** Cluster block settings; set by startCluster. */
  cluster?: { name: string; port: number; routes: number[] };
  /** Reuse this folder as the store (otherwise a new temp dir). */
  dir?: string;
  /** Use these ports instead of free ones. */
  port?: number;
  httpPort?: number;
}

export class TestServer {
  readonly dir: string;
  port = 0;
  httpPort = 0;
  proc?: ChildProcess;
  log = '';
  private readonly ownsDir: boolean;

  constructor(private readonly opts: ServerOptions = {}) {
    this.ownsDir = !opts.dir;
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'jetdeck-nats-'));
    live.add(this);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  get monitorUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }
  get storeDir(): string {
    return join(this.dir, 'store');
  }
  get name(): string {
    return this.opts.name ?? `test-${this.port}`;
  }

  config(): string {
    const o = this.opts;
    const lines = [
      `server_name: "${this.name}"`,
      `listen: "127.0.0.1:${this.port}"`,
      `http: "127.0.0.1:${this.httpPort}"`,
      o.jetstream === false ? '' : `jetstream { store_dir: "${this.storeDir}" }`,
    ];
    if (o.cluster) {
      lines.push(
        `cluster { name: "${o.cluster.name}", listen: "127.0.0.1:${o.cluster.port}", routes: [${o.cluster.routes
          .map((p) => `"nats-route://127.0.0.1:${p}"`)
          .join(', ')}] }`,
      );
    }
    if (o.extraConfig) lines.push(o.extraConfig);
    return lines.filter(Boolean).join('\n') + '\n';
  }

  private started = false;

  /**
   * A free port found by binding and closing can be taken by another process before the server
   * binds it: on the first start with picked ports, an "address already in use" picks new ones.
   */
  async start(): Promise<this> {
    for (let attempt = 1; ; attempt++) {
      if (!this.port) this.port = this.opts.port ?? (await freePort());
      if (!this.httpPort) this.httpPort = this.opts.httpPort ?? (await freePort());
      try {
        await this.launch();
        this.started = true;
        return this;
      } catch (err) {
        const raced = /address already in use/.test((err as Error).message);
        const picked = this.opts.port === undefined && this.opts.httpPort === undefined && !this.opts.cluster;
        if (!raced || !picked || this.started || attempt >= 5) throw err;
        this.port = 0;
        this.httpPort = 0;
        this.log = '';
      }
    }
  }

  private async launch(): Promise<void> {
    const conf = join(this.dir, 'server.conf');
    writeFileSync(conf, this.config());
    const proc = spawn(NATS_SERVER_BIN, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`nats-server did not become ready:\n${this.log}`)),
        20_000,
      );
      const onData = (b: Buffer) => {
        this.log += b.toString();
        if (this.log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${this.log}`));
      });
    });
  }

  /** Graceful stop (SIGTERM), keeping the store for a restart. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** kill -9. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Starts again on the same ports with the same store. */
  async restart(): Promise<this> {
    await this.stop();
    this.log = '';
    return this.start();
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(sig);
    });
    this.proc = undefined;
  }

  async dispose(): Promise<void> {
    await this.kill();
    live.delete(this);
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

const live = new Set<TestServer>();

export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  return new TestServer(opts).start();
}

export interface TestCluster {
  servers: TestServer[];
  urls: string[];
  dispose(): Promise<void>;
}

/** A 3-node (by default) JetStream cluster on loopback. */
export async function startCluster(size = 3, extraConfig?: string): Promise<TestCluster> {
  const routePorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const name = `c${routePorts[0]}`;
  const servers = routePorts.map(
    (port, i) =>
      new TestServer({
        name: `${name}-n${i + 1}`,
        cluster: { name, port, routes: routePorts.filter((p) => p !== port) },
        extraConfig,
      }),
  );
  await Promise.all(servers.map((s) => s.start()));
  return {
    servers,
    urls: servers.map((s) => s.url),
    dispose: async () => {
      await Promise.all(servers.map((s) => s.dispose()));
    },
  };
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.dispose()));
}
