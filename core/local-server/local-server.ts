import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LocalServerState, LocalServerStatus } from '../../api/features/connections';
import type { EventBus } from '../events';
import { Batcher } from '../util/batcher';
import { writeFileAtomic } from '../util/fs';
import { findNatsServer, installHint, readVersion, type FoundBinary } from './binary';
import { LineBuffer } from './log-buffer';
import { pickPort } from './ports';

export interface LocalServerOptions {
  /** Where the store (`store/`), the generated config and state.json live: `<dataDir>/nats-server`. */
  dir: string;
  /** Explicit binary path from settings; JETDECK_NATS_SERVER wins over it. */
  configuredBinary?: string;
  /** Folders searched for `bin/nats-server` (default: the app's resources folders). */
  resourceRoots?: string[];
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Log lines kept for `log()`. */
  logLines?: number;
}

const HOST = '127.0.0.1';
const READY_LINE = 'Server is ready';
const CRASH_TAIL = 15;

/**
 * Ports used last time, so the embedded profile's URL survives app restarts, and the server's
 * pid, so a server left behind by a JetDeck that was killed outright can be stopped.
 */
const stateSchema = z.object({
  port: z.number().int().positive().optional(),
  httpPort: z.number().int().positive().optional(),
  pid: z.number().int().positive().optional(),
});
type SavedState = z.infer<typeof stateSchema>;

/**
 * Children still running when Node exits are killed: the app must never leave an orphan server.
 * 'exit' covers process.exit and a drained loop; a fatal signal skips 'exit', so SIGINT/SIGTERM/
 * SIGHUP, when nobody else handles them, kill the children and re-raise so the default
 * (terminate) still happens.
 */
const liveChildren = new Set<ChildProcess>();
let exitHooksInstalled = false;
const killChildren = () => liveChildren.forEach((c) => c.kill('SIGKILL'));
function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killChildren);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // Someone else handles it (serve's graceful shutdown stops us; 'exit' is the backstop).
      if (process.listenerCount(sig) > 1) return;
      killChildren();
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

/**
 * The managed `nats-server -js` of the embedded default: binary lookup, free ports (preferring
 * last time's), a store kept across restarts, a captured log streamed in batches, and a
 * status event on every state change. start() never throws: failures are states.
 */
export class LocalServer {
  private state: LocalServerState = 'stopped';
  private binary?: FoundBinary;
  private version?: string;
  private clientPort?: number;
  private httpPort?: number;
  private error?: string;
  private child?: ChildProcess;
  private starting?: Promise<LocalServerStatus>;
  private stopping?: Promise<LocalServerStatus>;
  private readonly logBuffer: LineBuffer;
  private readonly logBatcher: Batcher<string>;

  constructor(
    private readonly bus: EventBus,
    private readonly opts: LocalServerOptions,
  ) {
    this.logBuffer = new LineBuffer(opts.logLines ?? 2000);
    this.logBatcher = new Batcher<string>((lines, dropped) => {
      const all = dropped ? [`[jetdeck] ${dropped} log lines dropped`, ...lines] : lines;
      this.bus.emit('localServer.log', { lines: all });
    }, 100);
  }

  get storeDir(): string {
    return join(this.opts.dir, 'store');
  }

  status(): LocalServerStatus {
    if (this.state === 'stopped' || this.state === 'missing') this.refreshLookup();
    const running = this.state === 'running';
    return {
      state: this.state,
      binary: this.binary?.path,
      version: this.version,
      clientUrl: running && this.clientPort ? `nats://${HOST}:${this.clientPort}` : undefined,
      monitorUrl: running && this.httpPort ? `http://${HOST}:${this.httpPort}` : undefined,
      storeDir: this.storeDir,
      pid: this.child?.pid,
      error: this.error,
      installHint: this.state === 'missing' ? installHint() : undefined,
    };
  }

  /** Idempotent: a running server is returned as is, concurrent calls share one start. */
  start(): Promise<LocalServerStatus> {
    if (this.state === 'running') return Promise.resolve(this.status());
    this.starting ??= (async () => {
      await this.stopping;
      return this.doStart();
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** SIGTERM, then SIGKILL if it has not exited within the timeout. */
  async stop(): Promise<LocalServerStatus> {
    // A start still looking up ports has no child yet: let it finish, then stop what it started.
    if (this.starting && !this.child) await this.starting.catch(() => undefined);
    const child = this.child;
    if (!child) return this.status();
    this.stopping ??= new Promise<LocalServerStatus>((resolve) => {
      const killTimer = setTimeout(() => child.kill('SIGKILL'), this.opts.stopTimeoutMs ?? 10_000);
      child.once('exit', () => {
        clearTimeout(killTimer);
        resolve(this.status());
      });
      child.kill('SIGTERM');
    }).finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  log(tail = 500): string[] {
    return this.logBuffer.tail(tail);
  }

  private refreshLookup(): void {
    const { found, rejected } = findNatsServer({
      configured: this.opts.configuredBinary,
      resourceRoots: this.opts.resourceRoots,
    });
    if (found?.path !== this.binary?.path) this.version = undefined;
    this.binary = found;
    if (found) {
      if (this.state === 'missing') {
        this.state = 'stopped';
        this.error = undefined;
      }
      return;
    }
    this.state = 'missing';
    this.error = [
      'No nats-server binary found (looked in JETDECK_NATS_SERVER, settings, resources/bin and PATH).',
      ...rejected,
    ].join(' ');
  }

  private async doStart(): Promise<LocalServerStatus> {
    this.refreshLookup();
    if (!this.binary) {
      this.emitStatus();
      return this.status();
    }
    const binary = this.binary.path;
    this.setState('starting', undefined);
    try {
      this.version ??= await readVersion(binary);
      mkdirSync(this.storeDir, { recursive: true, mode: 0o700 });
      const saved = this.readSavedState();
      const conf = join(this.opts.dir, 'nats-server.conf');
      // Before picking ports: an orphan holds last time's ports and, worse, the same store.
      if (saved.pid) await this.stopOrphan(saved.pid, conf);
      this.clientPort = await pickPort(saved.port, HOST);
      this.httpPort = await pickPort(saved.httpPort, HOST, [this.clientPort]);
      writeFileAtomic(conf, this.config(), 0o600);
      const pid = this.spawnServer(binary, conf);
      this.writeSavedState({ port: this.clientPort, httpPort: this.httpPort, pid });
      await this.untilReady(binary);
      this.setState('running', undefined);
    } catch (err) {
      if (this.state === 'starting') this.setState('error', (err as Error).message);
    }
    return this.status();
  }

  private config(): string {
    // JSON.stringify quotes and escapes paths (Windows backslashes) in a form the config parser reads.
    return [
      'server_name: "jetdeck-local"',
      `listen: "${HOST}:${this.clientPort}"`,
      `http: "${HOST}:${this.httpPort}"`,
      `jetstream { store_dir: ${JSON.stringify(this.storeDir)} }`,
      '',
    ].join('\n');
  }

  /**
   * Stops a nats-server an earlier JetDeck started on this data folder and could not stop (it was
   * killed with SIGKILL, or crashed): only a process whose command line names our config file.
   */
  private async stopOrphan(pid: number, conf: string): Promise<void> {
    if (pid === this.child?.pid || !isAlive(pid) || !commandLineOf(pid)?.includes(conf)) return;
    const note = `[jetdeck] stopping nats-server pid ${pid}, left running by an earlier JetDeck on this data folder`;
    this.logBuffer.push(`${note}\n`);
    this.logBatcher.push(note);
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(pid, sig);
      } catch (err) {
        throw new Error(
          `nats-server pid ${pid} still runs on this data folder and cannot be stopped: ${(err as Error).message}`,
          { cause: err },
        );
      }
    };
    const waitGone = async (ms: number) => {
      const deadline = Date.now() + ms;
      while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return !isAlive(pid);
    };
    signal('SIGTERM');
    if (await waitGone(this.opts.stopTimeoutMs ?? 10_000)) return;
    signal('SIGKILL');
    if (!(await waitGone(5000))) throw new Error(`nats-server pid ${pid} did not exit after SIGKILL`);
  }

  private spawnServer(binary: string, conf: string): number | undefined {
    const child = spawn(binary, ['-js', '-c', conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    trackChild(child);
    return child.pid;
  }

  private untilReady(binary: string): Promise<void> {
    const child = this.child;
    if (!child) return Promise.reject(new Error('nats-server was not started'));
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        reject(
          new Error(
            `nats-server did not report ready within ${this.opts.readyTimeoutMs ?? 20_000} ms:\n${this.lastLines()}`,
          ),
        );
        child.kill('SIGKILL');
      }, this.opts.readyTimeoutMs ?? 20_000);
      const onData = (b: Buffer) => {
        const lines = this.logBuffer.push(b.toString('utf8'));
        lines.forEach((l) => this.logBatcher.push(l));
        if (!ready && lines.some((l) => l.includes(READY_LINE))) {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`could not run ${binary}: ${err.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.logBuffer.end().forEach((l) => this.logBatcher.push(l));
        this.logBatcher.drain();
        const wasStopping = this.stopping !== undefined;
        this.child = undefined;
        const how = signal ? `signal ${signal}` : `code ${code}`;
        if (wasStopping) {
          this.setState('stopped', undefined);
          reject(new Error('stopped while starting'));
        } else if (this.state === 'error') {
          // Already failed (ready timeout) and killed by us: keep that reason.
          this.emitStatus();
        } else if (this.lastLines().includes('Server Exiting')) {
          // A clean shutdown someone else asked for (a signal, `nats-server --signal stop`, the OS):
          // stopped, said in one sentence; the log is one click away in the UI.
          this.setState(
            'stopped',
            `nats-server was stopped outside JetDeck and shut down cleanly (${how}); start it again to reconnect.`,
          );
          reject(new Error(this.error));
        } else {
          this.setState('error', `nats-server exited unexpectedly (${how}); its log says why.`);
          reject(new Error(this.error));
        }
      });
    });
  }

  private lastLines(): string {
    return this.logBuffer.tail(CRASH_TAIL).join('\n');
  }

  private readSavedState(): SavedState {
    const path = join(this.opts.dir, 'state.json');
    if (!existsSync(path)) return {};
    try {
      const parsed = stateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  private writeSavedState(s: SavedState): void {
    writeFileAtomic(join(this.opts.dir, 'state.json'), JSON.stringify(s, null, 2), 0o600);
  }

  private setState(state: LocalServerState, error: string | undefined): void {
    this.state = state;
    this.error = error;
    this.emitStatus();
  }

  private emitStatus(): void {
    this.bus.emit('localServer.status', this.status());
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped) still answers signal 0.
    if (process.platform === 'linux') return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return true;
  } catch (err) {
    // EPERM: alive but someone else's, so not ours to stop.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's command line, where the platform tells it cheaply (Linux /proc, macOS ps). */
function commandLineOf(pid: number): string | undefined {
  try {
    if (process.platform === 'linux')
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    if (process.platform === 'darwin')
      return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
  } catch {
    /* gone meanwhile, or not readable: leave it alone */
  }
  return undefined;
}
