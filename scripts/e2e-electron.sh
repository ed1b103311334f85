#!/usr/bin/env bash
# Electron e2e (Playwright _electron). Without the Electron binary every spec skips and says why.
# On a Linux box with no display it runs under xvfb-run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=(npx playwright test -c e2e/electron/playwright.electron.config.ts)
if [ "$(uname)" = "Linux" ] && [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null 2>&1; then
  exec xvfb-run -a "${cmd[@]}"
fi
exec "${cmd[@]}"
