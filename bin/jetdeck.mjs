#!/usr/bin/env node
// The `jetdeck` command. It runs the JavaScript build (out/main/cli.js, made by `npm run build`
// with the app). In a source checkout whose sources are newer than that build, or that has no
// build yet, it runs the TypeScript sources through tsx (a dev dependency) instead.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'main', 'cli.js');
const SOURCES = ['api', 'core', 'worker', 'nats'];

function newerThan(dir, time) {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory() ? newerThan(p, time) : statSync(p).mtimeMs > time) return true;
  }
  return false;
}

function buildIsCurrent() {
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  return !SOURCES.some((d) => newerThan(join(root, d), builtAt));
}

let runCli;
if (buildIsCurrent()) {
  ({ runCli } = await import(pathToFileURL(built).href));
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error(`jetdeck: no current build (${built}); run "npm run build" in ${root}.`);
    process.exit(1);
  }
  register();
  ({ runCli } = await import(new URL('../core/cli/main.ts', import.meta.url).href));
}
await runCli(process.argv);
