#!/usr/bin/env bash
# A real single-node Kubernetes 1.20 on loopback, for the test suite (Debian 12, root).
#
#   kube-node.sh build            build once per machine, beside the API server (scripts/kube-apiserver.sh, sourced
#                                 here), from the same Debian source tree: kubelet, kube-controller-manager,
#                                 kube-scheduler, and the sandbox (`pause`) binary; cached in $BINDER_STATE_DIR/kube/bin
#   kube-node.sh start DIR        start etcd, the API server, the controller-manager, the scheduler, a Docker daemon
#                                 of the node's own and the kubelet driving it (dockershim); waits for the node Ready
#                                 and writes DIR/env
#   kube-node.sh stop DIR         stop all of them by PID, unmount what the node mounted, restore the sysctls the
#                                 kubelet changed
#   kube-node.sh load DIR IMAGE   copy an image of the machine's Docker daemon into the node's
#
# DIR/env: what kube-apiserver.sh writes (KUBE_SERVER, KUBE_TOKEN, KUBECONFIG, KUBECTL, KUBE_CA, …) plus
# NODE_DOCKER_HOST (the node's daemon, unix://…), NODE_DOCKER_GID (its socket's group), NODE_NAME and every PID (*_PID).
#
# Everything stays on the machine: every server binds 127.0.0.1 on a port the OS chose; the kubelet is 127.0.0.1
# (--hostname-override), so the node's InternalIP, hostNetwork pod IPs, probes and API→kubelet calls are loopback;
# the kubelet's cloud metadata lookup is off (AWS_EC2_METADATA_DISABLED); the node's Docker daemon resolves names
# through 127.0.0.1 and proxies through 127.0.0.1:9, so a pull of a missing image fails at once instead of leaving
# the machine. There is no CNI, kube-proxy or cluster DNS: pods use hostNetwork (docs/kubernetes.md says why).
# Facts and obstacles: the reference note on a real node (sandbox oomScoreAdj, shared kubelet root, sysctls).
set -euo pipefail

# shellcheck source=kube-apiserver.sh
source "$(dirname "${BASH_SOURCE[0]}")/kube-apiserver.sh"
log() { printf '[kube-node] %s\n' "$*" >&2; }

PAUSE_IMAGE=binderorleans/pause:3.4.1
NODE_NAME=127.0.0.1
# What the kubelet sets at start (its container manager's defaults); saved before and restored after.
SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes)

node_build() {
  apiserver_build
  need_pkgs gcc libc6-dev docker.io runc util-linux python3
  build_cmd kubelet "about 1 minute"
  build_cmd kube-controller-manager "about 30 s"
  build_cmd kube-scheduler "about 15 s"
  if [ ! -x "$BIN_DIR/pause" ]; then
    local tree; tree=$(source_tree)
    gcc -Os -Wall -Werror -static -DVERSION=v3.4.1-binderorleans -o "$BIN_DIR/pause" "$tree/build/pause/linux/pause.c"
    strip "$BIN_DIR/pause"
    log "ready: $BIN_DIR/pause"
  fi
}

# The runtime the node's daemon runs containers with: runc, after a negative oomScoreAdj in the bundle is made 0.
# Dockershim asks -998 for every sandbox, and this machine's bounding set lacks CAP_SYS_RESOURCE, so runc's
# write of a negative value would fail and take the pod with it.
write_runtime() {
  local file="$1"
  cat >"$file" <<'RUNTIME'
#!/bin/sh
bundle=
prev=
for a in "$@"; do
  case "$prev" in --bundle|-b) bundle="$a" ;; esac
  case "$a" in --bundle=*) bundle="${a#--bundle=}" ;; esac
  prev="$a"
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  sed -i -E 's/"oomScoreAdj":-[0-9]+/"oomScoreAdj":0/' "$bundle/config.json"
fi
exec runc "$@"
RUNTIME
  chmod 0755 "$file"
}

# Each node's pods live in a cgroup tree of its own (the kubelet's cgroupRoot), not the default /kubepods: two kubelets
# on one machine (two test runs) sharing /kubepods would each take the other's pod cgroups for orphans and SIGKILL
# every process in them.
cgroup_root() { printf 'binderorleans-node-%s' "$(printf '%s' "$1" | sha256sum | cut -c1-12)"; }

make_cgroup_root() {
  local name="$1" c
  for c in /sys/fs/cgroup/*/; do
    [ "$(basename "$c")" = unified ] && continue
    mountpoint -q "$c" || continue
    mkdir -p "$c$name"
    # A new cpuset cgroup takes no task until it has CPUs and memory nodes.
    if [ -f "${c}cpuset.cpus" ] && [ -f "$c$name/cpuset.cpus" ]; then
      cat "${c}cpuset.cpus" >"$c$name/cpuset.cpus"
      cat "${c}cpuset.mems" >"$c$name/cpuset.mems"
    fi
  done
}

remove_cgroup_root() {
  local name="$1" c
  for c in /sys/fs/cgroup/*/; do
    [ -d "$c$name" ] && find "$c$name" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  return 0
}

write_kubelet_config() {
  local dir="$1" port="$2" healthz_port="$3"
  cat >"$dir/kubelet.yaml" <<CONFIG
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $healthz_port
tlsCertFile: $dir/kubelet.crt
tlsPrivateKeyFile: $dir/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $dir/ca.crt}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
cgroupRoot: /$(cgroup_root "$dir")
failSwapOn: false
makeIPTablesUtilChains: false
resolvConf: $dir/resolv.conf
clusterDomain: cluster.local
serializeImagePulls: false
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%}
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
CONFIG
}

wait_for() {
  local what="$1" tries="$2"; shift 2
  local i
  for i in $(seq 1 "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  log "$what did not come up"
  return 1
}

node_start() {
  local dir="$1"
  local b
  for b in kubelet kube-controller-manager kube-scheduler pause; do
    [ -x "$BIN_DIR/$b" ] || { log "no $BIN_DIR/$b: run '$0 build' first"; exit 1; }
  done
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  # One node per machine at a time: kubelets share /var/log/pods (fixed in 1.20) and the kubepods cgroups, and each
  # removes the other's pod logs and kills the processes of pods it does not know. The lock is held by every process
  # started below (they inherit the descriptor) and goes when the last of them stops.
  exec 8>>"$KUBE_DIR/node.lock"
  if ! flock -w 180 8; then
    log "another node runs on this machine (see $KUBE_DIR/node.lock holders: fuser $KUBE_DIR/node.lock); gave up after 180 s"
    exit 1
  fi
  for s in "${SYSCTLS[@]}"; do printf '%s=%s\n' "$s" "$(sysctl -n "$s")"; done >"$dir/sysctls"

  control_plane_start "$dir" node
  # shellcheck disable=SC1091
  source "$dir/env"
  trap 'log "start failed; stopping what started"; node_stop "$dir"' ERR

  local cm_token sched_token node_token
  cm_token=$(awk -F, '$2=="system:kube-controller-manager"{print $1}' "$dir/tokens.csv")
  sched_token=$(awk -F, '$2=="system:kube-scheduler"{print $1}' "$dir/tokens.csv")
  node_token=$(awk -F, -v n="system:node:$NODE_NAME" '$2==n{print $1}' "$dir/tokens.csv")
  write_kubeconfig "$dir/controller-manager.kubeconfig" "$KUBE_SERVER" system:kube-controller-manager "$cm_token"
  write_kubeconfig "$dir/scheduler.kubeconfig" "$KUBE_SERVER" system:kube-scheduler "$sched_token"
  write_kubeconfig "$dir/kubelet.kubeconfig" "$KUBE_SERVER" "system:node:$NODE_NAME" "$node_token"

  # The root CA becomes ca.crt in every service-account token secret (the in-cluster client trusts only it).
  "$BIN_DIR/kube-controller-manager" --kubeconfig="$dir/controller-manager.kubeconfig" \
    --use-service-account-credentials --service-account-private-key-file="$dir/sa.key" --root-ca-file="$dir/ca.crt" \
    --leader-elect=false --port=0 --secure-port=0 --bind-address=127.0.0.1 \
    --logtostderr=true --v=1 >"$dir/controller-manager.log" 2>&1 &
  echo $! >"$dir/controller-manager.pid"
  "$BIN_DIR/kube-scheduler" --kubeconfig="$dir/scheduler.kubeconfig" \
    --leader-elect=false --port=0 --secure-port=0 --bind-address=127.0.0.1 \
    --logtostderr=true --v=1 >"$dir/scheduler.log" 2>&1 &
  echo $! >"$dir/scheduler.pid"

  # The kubelet's root is a shared mount before the node's daemon starts: secret and subPath volumes the kubelet
  # mounts later must reach that daemon's mount namespace.
  mkdir -p "$dir/kubelet" "$dir/docker" "$dir/docker-exec" "$dir/run"
  mount --bind "$dir/kubelet" "$dir/kubelet"
  mount --make-rshared "$dir/kubelet"
  echo "nameserver 127.0.0.1" >"$dir/resolv.conf"
  echo '{}' >"$dir/docker.json"
  write_runtime "$dir/runtime"

  # Its own socket, roots and pid file (dockershim lowers the oom score of the process in /var/run/docker.pid, or of
  # every dockerd without it); no bridge or iptables; the machine's resolver replaced by loopback in its namespace.
  local sock="$dir/run/docker.sock"
  HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= \
    unshare --mount --propagation slave \
    sh -c 'mount --bind "$1/resolv.conf" /etc/resolv.conf && shift && exec "$@"' sh "$dir" \
    dockerd --host "unix://$sock" --data-root "$dir/docker" --exec-root "$dir/docker-exec" --pidfile "$dir/docker-exec/dockerd.pid" \
      --config-file "$dir/docker.json" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
      --exec-opt native.cgroupdriver=cgroupfs --add-runtime "clamped=$dir/runtime" --default-runtime clamped \
      >"$dir/dockerd.log" 2>&1 &
  echo $! >"$dir/dockerd.pid"
  wait_for "the node's Docker daemon (see $dir/dockerd.log)" 120 docker -H "unix://$sock" version

  tar -C "$BIN_DIR" -c pause | docker -H "unix://$sock" import -c 'ENTRYPOINT ["/pause"]' - "$PAUSE_IMAGE" >/dev/null

  local kubelet_port healthz_port
  kubelet_port=$(free_port); healthz_port=$(free_port)
  sign_cert "$dir" kubelet "/CN=$NODE_NAME" "IP:127.0.0.1"
  write_kubelet_config "$dir" "$kubelet_port" "$healthz_port"
  make_cgroup_root "$(cgroup_root "$dir")"
  AWS_EC2_METADATA_DISABLED=true "$BIN_DIR/kubelet" \
    --config="$dir/kubelet.yaml" --kubeconfig="$dir/kubelet.kubeconfig" \
    --root-dir="$dir/kubelet" --cert-dir="$dir/kubelet-pki" \
    --container-runtime=docker --docker-endpoint="unix://$sock" --docker="unix://$sock" \
    --container-runtime-endpoint="unix://$dir/run/dockershim.sock" --experimental-dockershim-root-directory="$dir/dockershim" \
    --pod-infra-container-image="$PAUSE_IMAGE" --hostname-override="$NODE_NAME" \
    --logtostderr=true --v=1 >"$dir/kubelet.log" 2>&1 &
  echo $! >"$dir/kubelet.pid"

  cat >>"$dir/env" <<ENV
NODE_NAME=$NODE_NAME
NODE_DOCKER_HOST=unix://$sock
NODE_DOCKER_GID=$(stat -c %g "$sock")
CONTROLLER_MANAGER_PID=$(cat "$dir/controller-manager.pid")
SCHEDULER_PID=$(cat "$dir/scheduler.pid")
NODE_DOCKERD_PID=$(cat "$dir/dockerd.pid")
KUBELET_PID=$(cat "$dir/kubelet.pid")
ENV

  # Ready about 12 s after the kubelet starts.
  if ! wait_for "node $NODE_NAME Ready (see $dir/kubelet.log)" 240 \
      "$BIN_DIR/kubectl" --kubeconfig "$dir/kubeconfig" wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s; then
    tail -20 "$dir/kubelet.log" >&2
    false
  fi
  trap - ERR
  log "ready: node $NODE_NAME at $KUBE_SERVER (env: $dir/env)"
  echo "$dir"
}

node_stop() {
  local dir="$1"
  dir=$(cd "$dir" && pwd)
  stop_pid "$dir/kubelet.pid"
  # Pods' containers go with the daemon's data; remove them first so the daemon does not wait out grace periods.
  if [ -S "$dir/run/docker.sock" ] && [ -f "$dir/dockerd.pid" ]; then
    local ids; ids=$(docker -H "unix://$dir/run/docker.sock" ps -aq 2>/dev/null || true)
    [ -n "$ids" ] && docker -H "unix://$dir/run/docker.sock" rm -f $ids >/dev/null 2>&1 || true
  fi
  stop_pid "$dir/dockerd.pid" 20
  stop_pid "$dir/scheduler.pid"
  stop_pid "$dir/controller-manager.pid"
  control_plane_stop "$dir"
  remove_cgroup_root "$(cgroup_root "$dir")"
  # The kubelet's volume mounts, then its root's bind mount, deepest first.
  local m
  while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done \
    < <(awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r)
  if [ -f "$dir/sysctls" ]; then
    local line
    while read -r line; do sysctl -q -w "$line" >/dev/null 2>&1 || log "could not restore $line"; done <"$dir/sysctls"
  fi
}

node_load() {
  local dir="$1" image="$2"
  dir=$(cd "$dir" && pwd)
  docker save "$image" | docker -H "unix://$dir/run/docker.sock" load -q >/dev/null
}

case "${1:-}" in
  build) node_build ;;
  start) [ $# -eq 2 ] || { echo "usage: $0 start DIR" >&2; exit 2; }; node_start "$2" ;;
  stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; node_stop "$2" ;;
  load) [ $# -eq 3 ] || { echo "usage: $0 load DIR IMAGE" >&2; exit 2; }; node_load "$2" "$3" ;;
  *) echo "usage: $0 build | start DIR | stop DIR | load DIR IMAGE" >&2; exit 2 ;;
esac
