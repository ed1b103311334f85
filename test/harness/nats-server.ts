import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from './poll';

/**
 * Real nats-server processes for tests: ports the servers pick and report, a temp store each, readiness from the
 * server's own "Server is ready" line, stop / kill -9 / restart on the same ports, clusters,
 * and configs with auth. Everything started is tracked and cleaned up by `stopAll()`.
 */

export const NATS_SERVER_BIN = process.env.JETDECK_NATS_SERVER || 'nats-server';

/**
 * A port free right now (bind to 0, read, close). Another process can take it before whoever
 * it is for binds it, so test nats-servers never use it: they listen on `-1` and report what
 * they bound, and serve and worker metrics in tests take port 0 and print theirs. Kept for a
 * port that nobody should be listening on (the unreachable-server test).
 */
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
  /** Cluster block settings; set by startCluster. Routes are the other nodes' route ports. */
  cluster?: { name: string; routes: number[] };
  /** Reuse this folder as the store (otherwise a new temp dir). */
  dir?: string;
}

/** What nats-server writes with `--ports_file_dir`: the URLs it actually listens on. */
interface PortsFile {
  nats?: string[];
  monitoring?: string[];
  cluster?: string[];
}

/**
 * A route that goes nowhere: JetStream in cluster mode will not start without a configured
 * route, and the first node of a cluster cannot know the others' ports yet (they bind `-1`).
 * The running seed keeps dialling it (refused at once, on loopback); once every node has said
 * where it listens, each is given the real routes for its next start. No config reload: a
 * reload re-applies the accounts and drops the $SYS account-ping responders on 2.9.
 */
const SEED_ROUTE_PLACEHOLDER = 1;

export class TestServer {
  readonly dir: string;
  readonly name: string;
  port = 0;
  httpPort = 0;
  clusterPort = 0;
  proc?: ChildProcess;
  log = '';
  private readonly ownsDir: boolean;

  constructor(private readonly opts: ServerOptions = {}) {
    this.ownsDir = !opts.dir;
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'jetdeck-nats-'));
    this.name = opts.name ?? `test-${randomBytes(4).toString('hex')}`;
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

  /**
   * The config file. Before the first start the ports are `-1` (the server picks free ones and
   * reports them); after it, the ports it bound, so a restart comes back where clients look.
   */
  config(): string {
    const o = this.opts;
    const at = (port: number) => `127.0.0.1:${port || -1}`;
    const lines = [
      `server_name: "${this.name}"`,
      `listen: "${at(this.port)}"`,
      `http: "${at(this.httpPort)}"`,
      o.jetstream === false ? '' : `jetstream { store_dir: "${this.storeDir}" }`,
    ];
    if (o.cluster) {
      const routes = o.cluster.routes.length ? o.cluster.routes : [SEED_ROUTE_PLACEHOLDER];
      lines.push(
        `cluster { name: "${o.cluster.name}", listen: "${at(this.clusterPort)}", routes: [${routes
          .map((p) => `"nats-route://127.0.0.1:${p}"`)
          .join(', ')}] }`,
      );
    }
    if (o.extraConfig) lines.push(o.extraConfig);
    return lines.filter(Boolean).join('\n') + '\n';
  }

  /** Starts the server (again: on the ports it had) and waits until it is ready. */
  async start(): Promise<this> {
    const first = !this.port;
    const conf = join(this.dir, 'server.conf');
    writeFileSync(conf, this.config());
    const portsDir = join(this.dir, 'ports');
    rmSync(portsDir, { recursive: true, force: true });
    mkdirSync(portsDir);
    const proc = spawn(NATS_SERVER_BIN, ['-c', conf, '--ports_file_dir', portsDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
    if (first) await this.readPorts(portsDir, proc.pid!);
    return this;
  }

  /** Reads back the ports the server bound (its ports file, written once it listens). */
  private async readPorts(portsDir: string, pid: number): Promise<void> {
    // Named after the executable and the pid (`nats-server_1234.ports`).
    const ports: PortsFile = await pollUntil(
      () => {
        const file = readdirSync(portsDir).find((f) => f.endsWith(`_${pid}.ports`));
        if (!file) throw new Error('not written yet');
        return JSON.parse(readFileSync(join(portsDir, file), 'utf8')) as PortsFile;
      },
      { timeoutMs: 10_000, what: `the ports file of nats-server pid ${pid}` },
    );
    const portOf = (urls: string[] | undefined) => Number(new URL(urls?.[0] ?? 'x://h:0').port);
    this.port = portOf(ports.nats);
    this.httpPort = portOf(ports.monitoring);
    if (this.opts.cluster) this.clusterPort = portOf(ports.cluster);
    if (!this.port || !this.httpPort || (this.opts.cluster && !this.clusterPort))
      throw new Error(`nats-server reported no ports: ${JSON.stringify(ports)}`);
  }

  /** Routes for the next start of a cluster node (a running one keeps the routes it has). */
  setRoutes(routes: number[]): void {
    if (!this.opts.cluster) throw new Error(`${this.name} is not a cluster node`);
    this.opts.cluster.routes = routes;
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

  /** `await using server = await startServer()`: gone when the block ends, whatever happened. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

const live = new Set<TestServer>();

export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  return new TestServer(opts).start();
}

export interface TestCluster extends AsyncDisposable {
  servers: TestServer[];
  urls: string[];
  dispose(): Promise<void>;
}

/**
 * A 3-node (by default) JetStream cluster on loopback, every port picked by the servers: the
 * first node starts, the others route to it (and meet each other through it), then every node
 * is given routes to all the others for when it is restarted.
 */
export async function startCluster(size = 3, extraConfig?: string): Promise<TestCluster> {
  const name = `c${randomBytes(4).toString('hex')}`;
  const servers = Array.from(
    { length: size },
    (_, i) => new TestServer({ name: `${name}-n${i + 1}`, cluster: { name, routes: [] }, extraConfig }),
  );
  const [seed, ...rest] = servers;
  await seed.start();
  for (const s of rest) s.setRoutes([seed.clusterPort]);
  await Promise.all(rest.map((s) => s.start()));
  for (const s of servers) s.setRoutes(servers.filter((o) => o !== s).map((o) => o.clusterPort));
  const dispose = async () => {
    await Promise.all(servers.map((s) => s.dispose()));
  };
  return { servers, urls: servers.map((s) => s.url), dispose, [Symbol.asyncDispose]: dispose };
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.dispose()));
}
