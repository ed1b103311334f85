import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodInput, MethodName, MethodOutput } from '../../api/contract';
import { createCore } from '../../core/backend';
import { ClientScope } from '../../core/clients/client-scope';
import type { AppCore } from '../../core/features';

/** Disposes itself at the end of an `await using` block (client, core, temp data folder). */
export interface TestCore extends AsyncDisposable {
  core: AppCore;
  dataDir: string;
  /** The client the test's calls come from (owns the live tails they start). */
  client: ClientScope;
  /** Calls a contract method through the router (validation included), throwing ApiError. */
  call<N extends MethodName>(name: N, input?: MethodInput<N>): Promise<MethodOutput<N>>;
  /** Saves a profile for `url` and connects to it. */
  connectTo(url: string | string[]): Promise<void>;
  dispose(): Promise<void>;
}

export function makeTestCore(opts: { dataDir?: string } = {}): TestCore {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'jetdeck-data-'));
  const core = createCore({ dataDir, mode: 'test' });
  const client = new ClientScope('test');
  const call = <N extends MethodName>(name: N, input?: MethodInput<N>) =>
    core.router.invoke(name, input, { transport: 'test', client });
  const dispose = async () => {
    client.close();
    await core.dispose();
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    core,
    client,
    dataDir,
    call,
    dispose,
    [Symbol.asyncDispose]: dispose,
    async connectTo(url) {
      const p = await call('connections.save', {
        name: `test ${String(url)}`,
        servers: ([] as string[]).concat(url),
      });
      await call('connections.connect', { id: p.id });
    },
  };
}
