#!/usr/bin/env bash
# Installs what the real-VS-Code test needs, apart from the project's own `npm ci`: Debian's chromium
# (never a browser download), code-server's build needs (libkrb5-dev, pkg-config), ripgrep, then
# code-server and playwright-core from this folder's package.json into .cache/vscode-e2e/node_modules
# (outside test/: `npm test` finds *.test.ts files, and code-server's packages ship some). Run as root
# on Debian; idempotent.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODULES_HOME="$HERE/../../.cache/vscode-e2e"

export DEBIAN_FRONTEND=noninteractive
need=()
for pkg in chromium libkrb5-dev pkg-config ripgrep; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "vscode-e2e install: apt-get install ${need[*]}"
  # A mirror in mid-sync can fail one list while the ones we need are fine: the install decides.
  apt-get update -qq || echo "vscode-e2e install: apt-get update reported errors; continuing"
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# @vscode/ripgrep's postinstall downloads rg from GitHub: seed its cache with Debian's rg instead.
cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache"
tarball="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
[[ -s "$tarball" ]] || tar -czf "$tarball" -C /usr/bin rg

mkdir -p "$MODULES_HOME"
cp "$HERE/package.json" "$MODULES_HOME/package.json"
cd "$MODULES_HOME"
if [[ ! -x node_modules/.bin/code-server || ! -d node_modules/playwright-core ]]; then
  npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund --no-package-lock
fi
node_modules/.bin/code-server --version
