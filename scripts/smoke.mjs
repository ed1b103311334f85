#!/usr/bin/env node
// Smoke mode of the README's run command (JETDECK_SMOKE=1 bash scripts/install-and-run.sh):
// starts `npm start` as a user would (the desktop app, or serve where Electron is unavailable),
// then checks that it answers /api/health and serves the built UI, and stops it. Exit 0 only
// when all of that worked. The app runs on a temp data folder and any free port.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TIMEOUT_MS = 90_000;
const dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-smoke-'));
const child = spawn('npm', ['start', '--', '--port', '0', '--no-open', '--data-dir', dataDir], {
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let output = '';

function stop() {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

function fail(message) {
  console.error(`smoke: FAILED: ${message}\n--- app output ---\n${output.slice(-4000)}`);
  stop();
  cleanUp();
  process.exit(1);
}

/** Removes the temp data folder; a leftover temp folder is reported, not a failure of the app. */
function cleanUp() {
  try {
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (err) {
    console.error(`smoke: could not remove ${dataDir}: ${err.message}`);
  }
}

const timer = setTimeout(() => fail(`no "JetDeck serving" line within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);

const served = new Promise((resolve) => {
  const onData = (chunk) => {
    output += chunk.toString();
    process.stdout.write(chunk);
    const m = /JetDeck serving (http:\/\/\S+)/.exec(output);
    if (m) resolve(new URL(m[1]));
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
});
child.on('exit', (code) => fail(`npm start exited early (code ${code})`));

const url = await served;
clearTimeout(timer);
// The token travels in the query or the fragment of the printed link.
const token = url.searchParams.get('token') ?? new URLSearchParams(url.hash.slice(1)).get('token');
if (!token) fail(`no token in ${url.href}`);
const auth = { authorization: `Bearer ${token}` };
const origin = `${url.protocol}//${url.host}`;

const health = await fetch(`${origin}/api/health`, { headers: auth });
const body = await health.json().catch(() => null);
if (health.status !== 200 || !body?.ok) fail(`/api/health answered ${health.status} ${JSON.stringify(body)}`);
console.log(`smoke: /api/health ${health.status} ${JSON.stringify(body)}`);

const page = await fetch(`${origin}/`, { headers: auth });
const html = await page.text();
const script = /<script[^>]+src="\.?\/?([^"]+\.js)"/.exec(html);
if (page.status !== 200 || !script) fail(`/ answered ${page.status} without the built UI's script`);
const js = await fetch(`${origin}/${script[1]}`, { headers: auth });
if (js.status !== 200 || (await js.text()).length < 10_000) fail(`${script[1]} answered ${js.status}`);
console.log(`smoke: the built UI is served (${script[1]})`);

child.removeAllListeners('exit');
stop();
await groupGone();
cleanUp();
console.log('smoke: OK');
process.exit(0);

/** Waits (up to 15 s) until every process of the app's group (npm, node, nats-server) has exited. */
async function groupGone() {
  for (let i = 0; i < 150; i++) {
    try {
      process.kill(-child.pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
