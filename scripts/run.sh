#!/usr/bin/env bash
# Start BinderOrleans on its embedded default: local Docker engine for builds and launches,
# listening on http://127.0.0.1:8585. Extra arguments are configuration overrides (--Key:Sub=value).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/assets.sh
exec dotnet run --project src/BinderOrleans.Server -c Release -- "$@"
