#!/usr/bin/env bash
# One command for a fresh Debian/Ubuntu machine: install what the tests need and run them all
# (typecheck, lint, unit + integration against real nats-server, e2e in Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh test
# The electron package is only needed for its types here; its binary download host may be
# unreachable, and the Electron e2e specs skip (saying why) when the binary is absent.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund
npm test
