#!/usr/bin/env bash
# Front-end assets from npm (versions pinned in package-lock.json), copied into the server's wwwroot/lib.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f package.json ] || exit 0
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
[ -f scripts/copy-assets.mjs ] && node scripts/copy-assets.mjs
exit 0
