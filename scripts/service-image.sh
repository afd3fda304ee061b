#!/usr/bin/env bash
# Builds the service image offline (no container registry): scripts/service-image.sh [TAG]   (default binderorleans:dev)
#   1. front-end assets (scripts/assets.sh, npm) into src/BinderOrleans.Server/wwwroot/lib;
#   2. the sources copied to a build folder of this checkout under $BINDER_STATE_DIR/service-image (default
#      /var/lib/binderorleans), and published there self-contained for linux-x64 (runtime packs from NuGet), so the
#      checkout's own bin/ and obj/ are left alone; skipped when the sources are unchanged since the last publish;
#   3. `docker build --target offline` of the Dockerfile on $BINDER_BASE_IMAGE (default binderorleans-base:bookworm,
#      made by scripts/setup.sh) with the publish output as the context; skipped when TAG already holds exactly these
#      sources on this base.
# Prints the image name (TAG) on stdout; progress goes to stderr. Safe to run from several checkouts at once.
set -euo pipefail
TAG="${1:-binderorleans:dev}"
cd "$(dirname "$0")/.."
ROOT="$PWD"
STATE_DIR="${BINDER_STATE_DIR:-/var/lib/binderorleans}"
BASE_IMAGE="${BINDER_BASE_IMAGE:-binderorleans-base:bookworm}"
export DOCKER_HOST="${DOCKER_HOST:-unix:///var/run/docker.sock}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log() { printf '[service-image] %s\n' "$*" >&2; }

docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || { log "base image $BASE_IMAGE is missing: run scripts/setup.sh first"; exit 1; }

work="$STATE_DIR/service-image/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
mkdir -p "$work/src" "$work/context"
exec 9>"$work/lock"
flock 9

bash scripts/assets.sh >&2
[ -f src/BinderOrleans.Server/wwwroot/lib/signalr/signalr.min.js ] || { log "front-end assets are missing after scripts/assets.sh"; exit 1; }

# The build folder mirrors what the publish reads; bin/ and obj/ there are kept for incremental builds.
rsync -a --delete --exclude bin/ --exclude obj/ src/ "$work/src/src/"
cp Directory.Build.props Directory.Packages.props .editorconfig "$work/src/"
sources=$(cd "$work/src" && find . \( -name bin -o -name obj \) -prune -o -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)

publish="$work/context/publish"
if [ "$(cat "$work/publish.sources" 2>/dev/null)" != "$sources" ] || [ ! -x "$publish/BinderOrleans.Server" ]; then
  log "publishing the server self-contained for linux-x64"
  started=$SECONDS
  rm -rf "$publish" "$work/publish.sources"
  dotnet publish "$work/src/src/BinderOrleans.Server" -c Release -r linux-x64 --self-contained \
    -o "$publish" -nologo -v q >&2
  [ -f "$publish/wwwroot/lib/signalr/signalr.min.js" ] || { log "the publish output lacks wwwroot/lib"; exit 1; }
  echo "$sources" >"$work/publish.sources"
  log "published in $((SECONDS - started)) s"
else
  log "sources unchanged: reusing the publish output"
fi

key="$sources-$(sha256sum Dockerfile | cut -c1-16)-$(docker image inspect --format '{{.Id}}' "$BASE_IMAGE" | cut -c8-23)"
if [ "$(docker image inspect --format '{{ index .Config.Labels "org.binderorleans.image-source" }}' "$TAG" 2>/dev/null)" = "$key" ]; then
  log "$TAG is up to date"
else
  log "building $TAG on $BASE_IMAGE"
  started=$SECONDS
  docker build -q --network none --target offline --build-arg OFFLINE_BASE="$BASE_IMAGE" \
    --label "org.binderorleans.image-source=$key" -f Dockerfile -t "$TAG" "$work/context" >/dev/null
  log "built $TAG in $((SECONDS - started)) s"
fi
echo "$TAG"
