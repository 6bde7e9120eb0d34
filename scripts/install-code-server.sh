#!/usr/bin/env bash
# Installs code-server 4.100.3 (real VS Code 1.100 with a Node extension host) from the npm registry
# into a cache folder outside the repo, so integration tests can run in real VS Code on machines that
# cannot download a desktop VS Code. Idempotent: a finished install is reused (marker file).
# Recipe: ../shared/design.md, "Real VS Code in tests". Needs the Debian packages installed by .ci/run.
set -euo pipefail
VERSION=4.100.3
CACHE="${LORA_LENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lora-lens}"
DIR="$CACHE/code-server-$VERSION"
MARKER="$DIR/.installed"
if [ -f "$MARKER" ]; then
  echo "code-server $VERSION already installed in $DIR"
  exit 0
fi
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
echo '{"name":"code-server-cache","private":true}' > package.json
npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION"
npm rebuild argon2
CS="$DIR/node_modules/code-server"
cd "$CS/lib/vscode"
npm install --no-audit --no-fund --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm_config_yes=true npm rebuild @parcel/watcher @vscode/deviceid @vscode/spdlog kerberos native-watchdog node-pty
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --no-audit --no-fund --omit=dev)
touch "$MARKER"
echo "code-server $VERSION installed in $DIR"
