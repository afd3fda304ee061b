#!/usr/bin/env bash
# A real Kubernetes API server on loopback, for the test suite (Debian 12, root).
#
#   kube-apiserver.sh build          build kube-apiserver once per machine from Debian's own `kubernetes` source
#                                    package (v1.20.2, Go 1.19, vendored, offline), install etcd-server and unpack
#                                    Debian's kubectl 1.20; all cached under $BINDER_STATE_DIR/kube
#   kube-apiserver.sh start DIR      start etcd and the API server on loopback with ports chosen by the OS; writes
#                                    DIR/kubeconfig (admin token), DIR/env (KUBE_* variables) and the PID files
#   kube-apiserver.sh stop DIR       stop both, by PID
#   kube-apiserver.sh namespace DIR NAME   create a namespace and its `default` ServiceAccount (no controller-manager
#                                    makes it, and without it the ServiceAccount admission refuses every pod)
#
# DIR/env holds KUBE_SERVER, KUBE_TOKEN (the admin's), KUBE_USER_TOKEN (user `binder-test`, no rights until a test
# binds it), KUBECONFIG, KUBECTL, KUBE_CA (the serving certificate) and the PIDs. Ports: asked of the OS.
#
# The server runs with RBAC, a static token file (one admin in system:masters), no anonymous access, a self-signed
# serving certificate and a service-account key pair. There is no controller-manager, scheduler or kubelet: the
# `default` ServiceAccount is created here for the namespaces that need it, and pods stay Pending unless a test
# plays the node.
set -euo pipefail

STATE_DIR="${BINDER_STATE_DIR:-/var/lib/binderorleans}"
KUBE_DIR="$STATE_DIR/kube"
BIN_DIR="$KUBE_DIR/bin"
SRC_PKG=kubernetes
log() { printf '[kube-apiserver] %s\n' "$*" >&2; }

apt_updated=0
apt_update() {
  [ $apt_updated -eq 1 ] && return 0
  log "apt-get update"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt_updated=1
}
need_pkgs() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_update
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Source packages need a deb-src entry: mirror the binary sources file with `Types: deb-src`.
ensure_deb_src() {
  local src=/etc/apt/sources.list.d/debian.sources dst=/etc/apt/sources.list.d/debian-src.sources
  [ -f "$dst" ] && return 0
  [ -f "$src" ] || { log "no $src to mirror; add a deb-src entry for bookworm yourself"; exit 1; }
  log "adding $dst"
  sed 's/^Types: deb$/Types: deb-src/' "$src" >"$dst"
  apt_updated=0
}

build() {
  need_pkgs golang-go make rsync etcd-server openssl ca-certificates dpkg-dev
  if [ ! -x "$BIN_DIR/kubectl" ]; then
    # Debian's kubectl 1.20 matches the server; /usr/bin/kubectl may belong to another package, so unpack privately.
    apt_update
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -qq kubernetes-client >/dev/null)
    dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$tmp/root"
    mkdir -p "$BIN_DIR"
    install -m 0755 "$tmp/root/usr/bin/kubectl" "$BIN_DIR/kubectl"
    rm -rf "$tmp"
  fi
  [ -x "$BIN_DIR/kube-apiserver" ] && { log "ready: $BIN_DIR/kube-apiserver"; return 0; }

  local src_root="$KUBE_DIR/src"
  mkdir -p "$src_root"
  local tree; tree=$(find "$src_root" -mindepth 1 -maxdepth 1 -type d -name "$SRC_PKG-*" | head -1)
  if [ -z "$tree" ]; then
    ensure_deb_src
    apt_update
    log "apt-get source $SRC_PKG"
    (cd "$src_root" && apt-get source -qq "$SRC_PKG" >"$KUBE_DIR/source.log" 2>&1) \
      || { log "apt-get source failed; see $KUBE_DIR/source.log"; tail -20 "$KUBE_DIR/source.log" >&2; exit 1; }
    tree=$(find "$src_root" -mindepth 1 -maxdepth 1 -type d -name "$SRC_PKG-*" | head -1)
    [ -n "$tree" ] || { log "could not unpack the $SRC_PKG source package"; exit 1; }
  fi
  # GOPATH mode from vendor/ (modules off, nothing fetched); make also generates the OpenAPI definitions the
  # server serves. `go build -mod=vendor` does not work with this tree under Go 1.19.
  log "building kube-apiserver in $tree (about 5 minutes on 2 cores)"
  (cd "$tree" && GOPROXY=off GOFLAGS= GO111MODULE=off CGO_ENABLED=0 GOCACHE="$KUBE_DIR/gocache" \
     make WHAT=cmd/kube-apiserver >"$KUBE_DIR/build.log" 2>&1) \
    || { log "build failed; see $KUBE_DIR/build.log"; tail -30 "$KUBE_DIR/build.log" >&2; exit 1; }
  local out; out=$(find "$tree/_output" -type f -name kube-apiserver -perm -u+x | head -1)
  [ -n "$out" ] || { log "no kube-apiserver binary under $tree/_output"; exit 1; }
  mkdir -p "$BIN_DIR"
  install -m 0755 "$out" "$BIN_DIR/kube-apiserver"
  log "ready: $BIN_DIR/kube-apiserver"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

start() {
  local dir="$1"
  [ -x "$BIN_DIR/kube-apiserver" ] || { log "no $BIN_DIR/kube-apiserver: run '$0 build' first"; exit 1; }
  command -v etcd >/dev/null || { log "no etcd: run '$0 build' first"; exit 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local etcd_port peer_port api_port
  etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port)

  # Serving certificate (self-signed: it is also the kubeconfig's CA), service-account key pair, static tokens.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$dir/serving.key" -out "$dir/serving.crt" 2>/dev/null
  openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
  openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  local admin_token user_token
  admin_token=$(openssl rand -hex 24); user_token=$(openssl rand -hex 24)
  printf '%s,admin,admin-uid,system:masters\n%s,binder-test,binder-test-uid\n' "$admin_token" "$user_token" >"$dir/tokens.csv"
  chmod 600 "$dir/tokens.csv" "$dir/serving.key" "$dir/sa.key"

  etcd --name default --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "default=http://127.0.0.1:$peer_port" >"$dir/etcd.log" 2>&1 &
  echo $! >"$dir/etcd.pid"

  "$BIN_DIR/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$etcd_port" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" --insecure-port=0 \
    --tls-cert-file="$dir/serving.crt" --tls-private-key-file="$dir/serving.key" --cert-dir="$dir/certs" \
    --token-auth-file="$dir/tokens.csv" --anonymous-auth=false --authorization-mode=RBAC \
    --service-account-key-file="$dir/sa.pub" --service-account-signing-key-file="$dir/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --feature-gates=BoundServiceAccountTokenVolume=true \
    --service-cluster-ip-range=10.96.0.0/16 \
    --kubelet-preferred-address-types=InternalIP \
    --logtostderr=true --v=1 >"$dir/apiserver.log" 2>&1 &
  echo $! >"$dir/apiserver.pid"

  local server="https://127.0.0.1:$api_port"
  cat >"$dir/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
current-context: admin
clusters:
- name: test
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$dir/serving.crt")
contexts:
- name: admin
  context: {cluster: test, user: admin, namespace: default}
- name: binder-test
  context: {cluster: test, user: binder-test, namespace: default}
users:
- name: admin
  user: {token: $admin_token}
- name: binder-test
  user: {token: $user_token}
KUBECONFIG
  chmod 600 "$dir/kubeconfig"
  cat >"$dir/env" <<ENV
KUBE_SERVER=$server
KUBE_TOKEN=$admin_token
KUBE_USER_TOKEN=$user_token
KUBECONFIG=$dir/kubeconfig
KUBECTL=$BIN_DIR/kubectl
KUBE_CA=$dir/serving.crt
ETCD_PID=$(cat "$dir/etcd.pid")
APISERVER_PID=$(cat "$dir/apiserver.pid")
ENV

  # Ready in about 7 s on an idle machine; allow for a busy one.
  local i
  for i in $(seq 1 240); do
    if curl -sf --cacert "$dir/serving.crt" -H "Authorization: Bearer $admin_token" "$server/readyz" >/dev/null 2>&1; then
      log "ready: $server (kubeconfig $dir/kubeconfig)"
      echo "$dir"
      return 0
    fi
    if ! kill -0 "$(cat "$dir/apiserver.pid")" 2>/dev/null || ! kill -0 "$(cat "$dir/etcd.pid")" 2>/dev/null; then break; fi
    sleep 0.5
  done
  log "the API server did not become ready; see $dir/apiserver.log and $dir/etcd.log"
  tail -20 "$dir/apiserver.log" >&2
  stop "$dir"
  exit 1
}

stop_pid() {
  local file="$1" pid i
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop() {
  local dir="$1"
  stop_pid "$dir/apiserver.pid"
  stop_pid "$dir/etcd.pid"
}

namespace() {
  local dir="$1" name="$2"
  local kubectl=("$BIN_DIR/kubectl" --kubeconfig "$dir/kubeconfig")
  "${kubectl[@]}" get namespace "$name" >/dev/null 2>&1 || "${kubectl[@]}" create namespace "$name" >/dev/null
  "${kubectl[@]}" -n "$name" get serviceaccount default >/dev/null 2>&1 || "${kubectl[@]}" -n "$name" create serviceaccount default >/dev/null
}

case "${1:-}" in
  build) build ;;
  start) [ $# -eq 2 ] || { echo "usage: $0 start DIR" >&2; exit 2; }; start "$2" ;;
  stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
  namespace) [ $# -eq 3 ] || { echo "usage: $0 namespace DIR NAME" >&2; exit 2; }; namespace "$2" "$3" ;;
  *) echo "usage: $0 build | start DIR | stop DIR | namespace DIR NAME" >&2; exit 2 ;;
esac
