#!/usr/bin/env bash
# One command for a fresh Debian/Ubuntu machine: install what the tests need and run them all
# (typecheck, lint, unit + integration against real nats-server, e2e in Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh test
# npm does not run electron's binary download (package.json allowScripts): the tests need only its
# types, and the Electron e2e specs skip (saying why) when the binary is absent.
npm ci --no-audit --no-fund
npm test
