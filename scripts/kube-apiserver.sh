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
# scripts/kube-node.sh sources this file (its functions; the command dispatch at the end runs only when executed)
# to build and start the same control plane for a real node.
#
# DIR/env holds KUBE_SERVER, KUBE_TOKEN (the admin's), KUBE_USER_TOKEN (user `binder-test`, no rights until a test
# binds it), KUBECONFIG, KUBECTL, KUBE_CA (the CA that signed the serving certificate) and the PIDs. Ports: asked of the OS.
#
# The server runs with RBAC, a static token file (one admin in system:masters), no anonymous access, a serving
# certificate from a CA of its own (DIR/ca.crt) and a service-account key pair. There is no controller-manager, scheduler or kubelet: the
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

# The unpacked source tree of Debian's `kubernetes` package (apt-get source on first use).
source_tree() {
  local src_root="$KUBE_DIR/src" tree
  mkdir -p "$src_root"
  tree=$(find "$src_root" -mindepth 1 -maxdepth 1 -type d -name "$SRC_PKG-*" | head -1)
  if [ -z "$tree" ]; then
    ensure_deb_src
    apt_update
    log "apt-get source $SRC_PKG"
    (cd "$src_root" && apt-get source -qq "$SRC_PKG" >"$KUBE_DIR/source.log" 2>&1) \
      || { log "apt-get source failed; see $KUBE_DIR/source.log"; tail -20 "$KUBE_DIR/source.log" >&2; exit 1; }
    tree=$(find "$src_root" -mindepth 1 -maxdepth 1 -type d -name "$SRC_PKG-*" | head -1)
    [ -n "$tree" ] || { log "could not unpack the $SRC_PKG source package"; exit 1; }
  fi
  echo "$tree"
}

# Builds cmd/NAME of the source tree into $BIN_DIR/NAME unless it is there. GOPATH mode from vendor/ (modules off,
# nothing fetched); make also generates the OpenAPI definitions the server serves. `go build -mod=vendor` does not
# work with this tree under Go 1.19. The Go cache is shared, so later commands build faster.
build_cmd() {
  local name="$1" note="${2:-}" tree out
  [ -x "$BIN_DIR/$name" ] && { log "ready: $BIN_DIR/$name"; return 0; }
  tree=$(source_tree)
  log "building $name in $tree${note:+ ($note)}"
  (cd "$tree" && GOPROXY=off GOFLAGS= GO111MODULE=off CGO_ENABLED=0 GOCACHE="$KUBE_DIR/gocache" \
     make WHAT="cmd/$name" >"$KUBE_DIR/build-$name.log" 2>&1) \
    || { log "build failed; see $KUBE_DIR/build-$name.log"; tail -30 "$KUBE_DIR/build-$name.log" >&2; exit 1; }
  out=$(find "$tree/_output" -type f -name "$name" -perm -u+x | head -1)
  [ -n "$out" ] || { log "no $name binary under $tree/_output"; exit 1; }
  mkdir -p "$BIN_DIR"
  install -m 0755 "$out" "$BIN_DIR/$name"
  log "ready: $BIN_DIR/$name"
}

apiserver_build() {
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
  build_cmd kube-apiserver "about 5 minutes on 2 cores"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# A certificate signed by DIR/ca: sign_cert DIR NAME SUBJECT [SANS].
sign_cert() {
  local dir="$1" name="$2" subject="$3" sans="${4:-}"
  openssl req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  if [ -n "$sans" ]; then
    printf 'subjectAltName=%s\n' "$sans" >"$dir/$name.ext"
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
      -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  else
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 -out "$dir/$name.crt" 2>/dev/null
  fi
  rm -f "$dir/$name.csr" "$dir/$name.ext"
  chmod 600 "$dir/$name.key"
}

# control_plane_start DIR [node]: etcd and the API server. With `node`, the server also accepts a kubelet: Node
# authorization and the NodeRestriction admission, client certificates from DIR/ca, a client certificate of its own
# for the kubelet, and legacy service-account token secrets (the controller-manager's token controller writes them,
# with ca.crt, for the pods).
control_plane_start() {
  local dir="$1" mode="${2:-}"
  [ -x "$BIN_DIR/kube-apiserver" ] || { log "no $BIN_DIR/kube-apiserver: run '$0 build' first"; exit 1; }
  command -v etcd >/dev/null || { log "no etcd: run '$0 build' first"; exit 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local etcd_port peer_port api_port
  etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port)

  # One CA (also the kubeconfig's); the serving certificate names the in-cluster addresses too, so a pod's
  # client can check it. Service-account key pair, static tokens.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=binder-test-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  chmod 600 "$dir/ca.key"
  sign_cert "$dir" serving "/CN=kube-apiserver" \
    "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
  openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  local admin_token user_token
  admin_token=$(openssl rand -hex 24); user_token=$(openssl rand -hex 24)
  {
    printf '%s,admin,admin-uid,system:masters\n%s,binder-test,binder-test-uid\n' "$admin_token" "$user_token"
    printf '%s,system:node:127.0.0.1,node-uid,system:nodes\n' "$(openssl rand -hex 24)"
    printf '%s,system:kube-controller-manager,kcm-uid\n' "$(openssl rand -hex 24)"
    printf '%s,system:kube-scheduler,scheduler-uid\n' "$(openssl rand -hex 24)"
  } >"$dir/tokens.csv"
  chmod 600 "$dir/tokens.csv" "$dir/sa.key"

  local node_flags=()
  if [ "$mode" = node ]; then
    sign_cert "$dir" apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
    node_flags=(--authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction
      --client-ca-file="$dir/ca.crt" --kubelet-certificate-authority="$dir/ca.crt"
      --kubelet-client-certificate="$dir/apiserver-kubelet-client.crt" --kubelet-client-key="$dir/apiserver-kubelet-client.key")
  else
    node_flags=(--authorization-mode=RBAC --feature-gates=BoundServiceAccountTokenVolume=true)
  fi

  etcd --name default --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "default=http://127.0.0.1:$peer_port" >"$dir/etcd.log" 2>&1 &
  echo $! >"$dir/etcd.pid"

  "$BIN_DIR/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$etcd_port" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" --insecure-port=0 \
    --tls-cert-file="$dir/serving.crt" --tls-private-key-file="$dir/serving.key" --cert-dir="$dir/certs" \
    --token-auth-file="$dir/tokens.csv" --anonymous-auth=false "${node_flags[@]}" \
    --service-account-key-file="$dir/sa.pub" --service-account-signing-key-file="$dir/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
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
    certificate-authority-data: $(base64 -w0 <"$dir/ca.crt")
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
KUBE_CA=$dir/ca.crt
ETCD_PID=$(cat "$dir/etcd.pid")
APISERVER_PID=$(cat "$dir/apiserver.pid")
ENV

  # Ready in about 7 s on an idle machine; allow for a busy one.
  local i
  for i in $(seq 1 240); do
    if curl -sf --cacert "$dir/ca.crt" -H "Authorization: Bearer $admin_token" "$server/readyz" >/dev/null 2>&1; then
      log "ready: $server (kubeconfig $dir/kubeconfig)"
      return 0
    fi
    if ! kill -0 "$(cat "$dir/apiserver.pid")" 2>/dev/null || ! kill -0 "$(cat "$dir/etcd.pid")" 2>/dev/null; then break; fi
    sleep 0.5
  done
  log "the API server did not become ready; see $dir/apiserver.log and $dir/etcd.log"
  tail -20 "$dir/apiserver.log" >&2
  control_plane_stop "$dir"
  exit 1
}

# write_kubeconfig FILE SERVER USER TOKEN: a kubeconfig for one user of the server (CA: the directory's ca.crt).
write_kubeconfig() {
  local file="$1" server="$2" user="$3" token="$4"
  cat >"$file" <<KUBECONFIG
apiVersion: v1
kind: Config
current-context: $user
clusters:
- name: test
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$(dirname "$file")/ca.crt")
contexts:
- name: $user
  context: {cluster: test, user: $user, namespace: default}
users:
- name: $user
  user: {token: $token}
KUBECONFIG
  chmod 600 "$file"
}

# stop_pid FILE [SECONDS]: TERM the process in FILE, KILL it after SECONDS (default 5).
stop_pid() {
  local file="$1" wait="${2:-5}" pid i
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 $((wait * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

control_plane_stop() {
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

# Sourced by kube-node.sh for its functions; the commands run only when this file is executed.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    build) apiserver_build ;;
    start) [ $# -eq 2 ] || { echo "usage: $0 start DIR" >&2; exit 2; }; control_plane_start "$2" && echo "$(cd "$2" && pwd)" ;;
    stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; control_plane_stop "$2" ;;
    namespace) [ $# -eq 3 ] || { echo "usage: $0 namespace DIR NAME" >&2; exit 2; }; namespace "$2" "$3" ;;
    *) echo "usage: $0 build | start DIR | stop DIR | namespace DIR NAME" >&2; exit 2 ;;
  esac
fi
