#!/usr/bin/env bash
# One command for a fresh Debian/Ubuntu machine: install everything and open JetDeck on its
# embedded nats-server. Where the Electron binary cannot be downloaded, it serves the browser UI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh run
npm install --no-audit --no-fund
npm run build
npm start
