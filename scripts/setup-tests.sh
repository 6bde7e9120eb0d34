#!/usr/bin/env bash
# Installs what the integration tests need beyond npm packages: Debian's chromium (to drive the
# workbench), code-server's native build dependencies and ripgrep, then code-server 4.100.3 itself
# (from the npm registry, cached in ~/.cache/lora-lens). Idempotent and quick when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libkrb5-dev libxkbfile-dev libsecret-1-dev ripgrep chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup-tests: need root (or sudo) to install: ${need[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "== code-server 4.100.3"
bash scripts/install-code-server.sh
