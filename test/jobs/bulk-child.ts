// A core running a slow bulk publish until it is killed: `node --import tsx bulk-child.ts URL DATADIR`.
import { createCore } from '../../core/backend';

const [url, dataDir] = process.argv.slice(2);
const core = createCore({ dataDir: dataDir!, mode: 'test' });
const ctx = { transport: 'test' as const };
const p = await core.router.invoke('connections.save', { name: 'child', servers: [url!] }, ctx);
await core.router.invoke('connections.connect', { id: p.id }, ctx);
const { jobId } = await core.router.invoke(
  'tasks.publishBulk',
  { type: 'echo', payload: { n: 1 }, count: 1_000_000, ratePerSec: 5_000, idPrefix: 'killed-bulk' },
  ctx,
);
console.log(`started ${jobId}`);
