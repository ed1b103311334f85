#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages JetDeck needs, only where missing.
#   scripts/system-deps.sh run   -> nats-server (the embedded default)
#   scripts/system-deps.sh test  -> nats-server, chromium, xvfb (tests and e2e), prometheus (promtool
#                                   checks the /metrics output)
set -euo pipefail
mode="${1:-run}"
need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
if [ "$mode" = "test" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
fi
[ ${#need[@]} -eq 0 ] && exit 0
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
echo "Installing system packages: ${need[*]}"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}"
