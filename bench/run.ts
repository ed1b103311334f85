/**
 * `npm run bench [-- --only g1,g2]`: each group measures JetDeck and a raw nats.js baseline on
 * the same fresh nats-server in the same run and prints one line per figure: `name value unit`.
 * Groups live in bench/groups/<name>.ts and export `group: BenchGroup`.
 */
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stopAll } from '../test/harness';
import type { BenchGroup } from './lib';

const { values } = parseArgs({
  options: { only: { type: 'string' }, list: { type: 'boolean' } },
  allowPositionals: true,
});

const dir = fileURLToPath(new URL('./groups/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort();
const groups: BenchGroup[] = [];
for (const f of files) {
  const mod = (await import(new URL(`./groups/${f}`, import.meta.url).href)) as { group?: BenchGroup };
  if (mod.group) groups.push(mod.group);
  else console.error(`bench: ${basename(f)} exports no group`);
}

if (values.list) {
  for (const g of groups) console.log(`${g.name}\t${g.description}`);
  process.exit(0);
}

const only = values.only
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only?.filter((n) => !groups.some((g) => g.name === n)) ?? [];
if (unknown.length) {
  console.error(
    `bench: unknown group(s) ${unknown.join(', ')}; known: ${groups.map((g) => g.name).join(', ')}`,
  );
  process.exit(2);
}

let failed = false;
for (const g of groups.filter((g) => !only || only.includes(g.name))) {
  console.log(`# ${g.name}: ${g.description}`);
  try {
    await g.run();
  } catch (err) {
    failed = true;
    console.error(`bench ${g.name} failed:`, err);
  } finally {
    await stopAll();
  }
}
process.exit(failed ? 1 : 0);
