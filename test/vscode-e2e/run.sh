#!/usr/bin/env bash
# `npm run test:vscode`: the real-VS-Code end-to-end test. Installs code-server, playwright-core and
# Debian's chromium when missing (install.sh), builds the extension bundles, then runs the node:test
# files one after the other (the editor features, then the debugger), each staging the extension in a
# fresh code-server and driving it headless. Screenshots land in test/vscode-e2e/screenshots/.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
MODULES="$REPO_ROOT/.cache/vscode-e2e/node_modules"

if [[ ! -x "$MODULES/.bin/code-server" || ! -d "$MODULES/playwright-core" || ! -x /usr/bin/chromium ]]; then
  bash "$HERE/install.sh"
fi
cd "$REPO_ROOT"
npm run package --silent
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec test/vscode-e2e/vscode-extension.e2e.ts test/vscode-e2e/kprobe-debugging.e2e.ts
