#!/usr/bin/env bash
# Run every test: installs and starts what the suites need (dockerd, base image, registry, JupyterHub,
# Chromium, a kube-apiserver built from Debian's source), then `dotnet test` on the whole solution. TRX results land in artifacts/test-results.
# Extra arguments go to dotnet test (e.g. --filter "FullyQualifiedName~Naming").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with registry,jupyterhub,browser,redis,kubernetes
bash scripts/assets.sh
results="$PWD/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
dotnet build BinderOrleans.sln -c Release -nologo -v q
status=0
dotnet test BinderOrleans.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" || status=$?
exit $status
