#!/usr/bin/env node
// Downloads the Electron binary with electron's own install script, which npm does not run at
// install time (package.json allowScripts). Where it cannot be had (no route to its host), it
// says so in one line and exits 0: `npm start` then serves the browser UI instead.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let script;
try {
  script = join(dirname(require.resolve('electron/package.json')), 'install.js');
} catch {
  console.log(
    'JetDeck: the electron package is not installed; the desktop app is unavailable (npm start serves the browser UI).',
  );
  process.exit(0);
}
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('JetDeck: ELECTRON_SKIP_BINARY_DOWNLOAD is set; not downloading the Electron binary.');
  process.exit(0);
}
const res = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 180_000 });
if (res.status === 0) {
  console.log('JetDeck: the Electron binary is in place.');
} else {
  const why =
    `${res.stderr ?? ''}${res.error?.message ?? ''}`.split('\n').find((l) => /Error|error/.test(l)) ??
    `exit ${res.status}`;
  console.log(
    `JetDeck: the Electron binary could not be downloaded (${why.trim()}); npm start will serve the browser UI instead.`,
  );
}
