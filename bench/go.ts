import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Where Debian's golang-github-nats-io-go-nats-dev puts the Go client (GOPATH layout). */
const DEBIAN_GOPATH = '/usr/share/gocode';

/**
 * The Go client as the reference in the same run: bench/go/ref (one program, a mode per group:
 * `publish`, `replay`) built (offline, GOPATH mode, from the Go client's sources installed by
 * the distribution or in BENCH_GOPATH) into a temp dir, and run in mode `name`. Undefined, with
 * the reason printed, where Go or the client is missing.
 */
export async function buildGo(name: 'publish' | 'replay'): Promise<GoProgram | undefined> {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) {
    console.log(`# go reference skipped: no \`go\` on PATH (Debian: golang-go)`);
    return undefined;
  }
  const gopath = process.env.BENCH_GOPATH ?? DEBIAN_GOPATH;
  if (!existsSync(join(gopath, 'src/github.com/nats-io/nats.go'))) {
    console.log(
      `# go reference skipped: the Go client is not in ${gopath} (Debian: golang-github-nats-io-go-nats-dev, or set BENCH_GOPATH)`,
    );
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'jetdeck-bench-go-'));
  const bin = join(dir, 'ref');
  try {
    await run('go', ['build', '-o', bin, '.'], {
      cwd: fileURLToPath(new URL('./go/ref/', import.meta.url)),
      env: {
        ...process.env,
        GOPATH: `${dir}:${gopath}`,
        GO111MODULE: 'off',
        GOCACHE: join(dir, 'cache'),
        GOFLAGS: '',
      },
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `# go reference skipped: build of bench/go/ref failed: ${(err as Error).message.split('\n')[0]}`,
    );
    return undefined;
  }
  return new GoProgram(bin, name, dir, go.stdout.trim());
}

export class GoProgram {
  constructor(
    private readonly bin: string,
    private readonly mode: string,
    private readonly dir: string,
    readonly version: string,
  ) {}

  /**
   * Runs its mode with `args`; its last stdout line is `{ msgs, ms, per_s, cpu_us }` (cpu_us:
   * the client's CPU time over the timed part, -1 where the OS does not say).
   */
  async run(args: string[]): Promise<{ msgs: number; ms: number; per_s: number; cpu_us: number }> {
    const { stdout } = await run(this.bin, [this.mode, ...args], { timeout: 300_000 });
    const last = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(last) as { msgs: number; ms: number; per_s: number; cpu_us: number };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
