#!/usr/bin/env bash
# One command for a fresh Debian/Ubuntu machine: install everything and open JetDeck on its
# embedded nats-server. Where the Electron binary cannot be downloaded, it says so in one line
# and serves the browser UI instead.
#   JETDECK_SMOKE=1 bash scripts/install-and-run.sh   (CI) starts it, checks /api/health and the
#   served UI, stops it and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh run
# package.json's allowScripts keeps npm from running electron's binary download during install
# (where it fails, npm would drop the whole package and the build with it); it is fetched next.
npm ci --no-audit --no-fund
npm run --silent electron:fetch
npm run build
if [ -n "${JETDECK_SMOKE:-}" ]; then
  exec node scripts/smoke.mjs
fi
exec npm start
