#!/usr/bin/env bash
# Idempotent machine setup for BinderOrleans on Debian 12 (root):
#   - apt packages (docker.io, git, debootstrap, ...) when missing
#   - a dockerd when none answers on $DOCKER_HOST (default unix:///var/run/docker.sock)
#   - the notebook base image ($BINDER_BASE_IMAGE) when missing, built offline with debootstrap
# Extra groups of packages for the test suites: `setup.sh --with registry,jupyterhub,browser,redis,kubernetes`
# (kubernetes: kube-apiserver, kubelet, kube-controller-manager, kube-scheduler 1.20 and the pause binary, built once
# from Debian's source package, etcd and kubectl; see scripts/kube-apiserver.sh and scripts/kube-node.sh).
set -euo pipefail

BASE_IMAGE="${BINDER_BASE_IMAGE:-binderorleans-base:bookworm}"
export DOCKER_HOST="${DOCKER_HOST:-unix:///var/run/docker.sock}"
STATE_DIR="${BINDER_STATE_DIR:-/var/lib/binderorleans}"
WITH=""
while [ $# -gt 0 ]; do
  case "$1" in
    --with) WITH="$2"; shift 2 ;;
    --with=*) WITH="${1#--with=}"; shift ;;
    *) echo "setup.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

log() { printf '[setup] %s\n' "$*" >&2; }
want() { case ",$WITH," in *",$1,"*|*",all,"*) return 0 ;; *) return 1 ;; esac; }

apt_updated=0
need_pkgs() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated -eq 0 ]; then log "apt-get update"; apt-get update -qq; apt_updated=1; fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need_pkgs docker.io git debootstrap ca-certificates curl tar iproute2
want registry && need_pkgs docker-registry apache2-utils openssl
want jupyterhub && need_pkgs jupyterhub
want redis && need_pkgs redis-server
{ want jupyterhub || want browser; } && ! command -v npm >/dev/null 2>&1 && need_pkgs nodejs npm
want browser && need_pkgs chromium fonts-dejavu-core

if want jupyterhub && ! configurable-http-proxy --version >/dev/null 2>&1; then
  # Debian's configurable-http-proxy does not work with this Node; the npm one does. It goes to /usr/local
  # (ahead of /usr/bin on PATH) because npm refuses to overwrite Debian's /usr/bin link.
  log "installing configurable-http-proxy from npm"
  npm install -g --prefix /usr/local --silent configurable-http-proxy@4 >/dev/null 2>&1
fi

# A real single-node Kubernetes for the Kubernetes tests: built once per machine, cached in $STATE_DIR/kube.
want kubernetes && BINDER_STATE_DIR="$STATE_DIR" bash "$(dirname "$0")/kube-node.sh" build

# dockerd: start one when nothing answers.
if ! docker version >/dev/null 2>&1; then
  sock="${DOCKER_HOST#unix://}"
  mkdir -p "$STATE_DIR" "$(dirname "$sock")"
  log "starting dockerd on $DOCKER_HOST"
  nohup dockerd --host "$DOCKER_HOST" --bridge=none --iptables=false --ip6tables=false \
      --data-root "$STATE_DIR/docker" --exec-root "$STATE_DIR/docker-exec" \
      --pidfile "$STATE_DIR/dockerd.pid" >"$STATE_DIR/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do docker version >/dev/null 2>&1 && break; sleep 0.5; done
  docker version >/dev/null 2>&1 || { log "dockerd did not start; see $STATE_DIR/dockerd.log"; tail -20 "$STATE_DIR/dockerd.log" >&2; exit 1; }
fi

# Base image: debootstrap → import → apt-install the notebook stack.
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  rootfs_image="binderorleans-rootfs:bookworm"
  if ! docker image inspect "$rootfs_image" >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    log "debootstrap bookworm (about 30 s)"
    debootstrap --variant=minbase bookworm "$tmp/rootfs" >"$tmp/debootstrap.log" 2>&1 || { tail -20 "$tmp/debootstrap.log" >&2; exit 1; }
    tar -C "$tmp/rootfs" -c . | docker import - "$rootfs_image" >/dev/null
    rm -rf "$tmp"; trap - EXIT
  fi
  log "building $BASE_IMAGE (about 40 s)"
  ctx=$(mktemp -d)
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $rootfs_image
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8 SHELL=/bin/bash
RUN apt-get update -qq \\
 && apt-get install -y -qq --no-install-recommends python3 python3-notebook python3-pip python3-venv git tini ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 1000 jovyan && useradd --create-home --uid 1000 --gid 1000 --shell /bin/bash jovyan
DOCKERFILE
  docker build --network host -q -t "$BASE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
fi
log "ready: DOCKER_HOST=$DOCKER_HOST base image $BASE_IMAGE"
