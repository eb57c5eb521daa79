#!/usr/bin/env bash
# A real single-node Kubernetes on this machine, from the parts `npm run testbin cluster` provisions
# (testbin/cluster/provision.sh). kind cannot run here (no --privileged), so the node is the host itself:
# kubelet and kube-proxy run on it next to etcd and the control plane, with their own containerd instance.
#   cluster.sh up        start it (idempotent); prints KUBECONFIG=... and INGRESS_URL=... lines
#   cluster.sh down      stop it and remove every trace: processes, pods' mounts and network namespaces, the
#                        bridge and the dummy interface, iptables chains (idempotent; safe when nothing runs)
#   cluster.sh status    exit 0 when the API server answers and the node is Ready
#   cluster.sh import <archive.tar>...   import image archives into the cluster's containerd
#   cluster.sh tag <image> <new-name>     give an imported image another name (the one a manifest uses)
#   cluster.sh build-gravix-images <tag>  build the workers and operator images from the project's Dockerfiles
#                                         (testbin/cluster/images.sh) and import them
#   cluster.sh netpol start|stop          NetworkPolicy enforcement (kube-router's policy controller, built alone by
#                                         testbin/cluster/provision.sh): `up` starts it; stop and start it again here
#   cluster.sh refuse add|delete <address> <port>   refuse (TCP reset) every pod's connection to that pod address
#                                         and port, whatever the enforcer allows: a store outage as pods see it
# Needs root. One cluster per machine: fixed ports and names. All of its traffic stays on loopback, the dummy
# interface it creates (the node's address), the pod bridge and the pods' network namespaces.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../versions.env
source "$repo_root/testbin/versions.env"
cache_dir=${GRAVIX_TESTBIN_DIR:-$HOME/.cache/gravix/testbin}

node_name=gravix-node
node_if=gravix0
node_ip=10.213.0.1
bridge=gravixbr0
pod_cidr=10.244.0.0/24
service_cidr=10.96.0.0/16
kubernetes_service_ip=10.96.0.1
dns_service_ip=10.96.0.10
apiserver_port=6443
etcd_port=23790
ingress_node_port=30080
# The cluster's own filter rules: a native nftables table (docs/adr/0129), never iptables' FORWARD.
guard_table=gravix-cluster

state=/var/lib/gravix-cluster
run=/run/gravix-cluster
logs=${GRAVIX_CLUSTER_LOGS:-$state/logs}
containerd_root=$cache_dir/cluster-containerd
containerd_sock=$run/containerd/containerd.sock
pki=$state/pki

kube_bin=$cache_dir/kube-node-$KUBERNETES_VERSION
kubectl=$kube_bin/kubectl
export KUBECONFIG=$state/admin.kubeconfig

log() { printf 'cluster: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

images_dir() {
  # The newest image set testbin built (its name carries the key of what it was built from).
  local dir
  # shellcheck disable=SC2012 # the names are ours, and ls sorts by time
  dir=$(ls -dt "$cache_dir"/cluster-images-*/ 2>/dev/null | head -n 1)
  if [ -z "$dir" ] || [ ! -e "$dir/done" ]; then die "no images in $cache_dir: run npm run testbin cluster"; fi
  echo "${dir%/}"
}

require() {
  [ "$(id -u)" = 0 ] || die "needs root"
  local f
  for f in "$kube_bin/kube" "$cache_dir/kube-apiserver-$KUBERNETES_VERSION/kube-apiserver" \
    "$cache_dir/etcd-$ETCD_VERSION/etcd" /usr/bin/containerd /usr/sbin/runc /usr/lib/cni/bridge /usr/sbin/iptables \
    /usr/sbin/nft; do
    [ -x "$f" ] || die "missing $f: run npm run testbin cluster"
  done
}

# ---------------------------------------------------------------- processes

# Each daemon runs under a restarting loop in its own session (daemon-loop.sh, which also drops the descriptors it
# inherited, the caller's cluster lock among them); the pid file holds the loop's pid, which is the session's.
start_daemon() { # name command args...
  local name=$1
  shift
  if [ -e "$run/pids/$name.pid" ] && kill -0 "$(cat "$run/pids/$name.pid")" 2>/dev/null; then return; fi
  mkdir -p "$run/pids" "$logs"
  # daemon-loop.sh closes every descriptor it inherited past stderr first: run under `flock <lock> cluster.sh up`,
  # a daemon would otherwise hold the caller's lock for as long as the cluster runs, and every later `flock <lock>`
  # waits.
  setsid bash "$repo_root/testbin/cluster/daemon-loop.sh" "$@" >>"$logs/$name.log" 2>&1 </dev/null &
  echo $! >"$run/pids/$name.pid"
}

stop_daemon() { # name
  local pidfile=$run/pids/$1.pid pid i
  [ -e "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -TERM -- "-$pid" 2>/dev/null; then
    for i in $(seq 1 100); do
      kill -0 -- "-$pid" 2>/dev/null || break
      [ "$i" -lt 100 ] || kill -KILL -- "-$pid" 2>/dev/null || true
      sleep 0.1
    done
  fi
  rm -f "$pidfile"
}

# Writes stdin to a file only when it differs, so a running daemon never sees its configuration rewritten.
write_if_changed() { # file
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

wait_for() { # what timeout-seconds command...
  local what=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting for $what (logs: $logs)"
    sleep 0.5
  done
}

# ---------------------------------------------------------------- network

setup_network() {
  if ! ip link show "$node_if" >/dev/null 2>&1; then
    # A dummy interface; where the kernel has no dummy driver (this VM's), a bridge without ports does the same.
    ip link add "$node_if" type dummy 2>/dev/null || ip link add "$node_if" type bridge
    ip addr add "$node_ip/32" dev "$node_if"
  fi
  ip link set "$node_if" up
  sysctl -qw net.ipv4.ip_forward=1
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] && sysctl -qw net.bridge.bridge-nf-call-iptables=1
  setup_guard
  mkdir -p "$state/cni/net.d" "$state/cni/ipam"
  write_if_changed "$state/cni/net.d/10-gravix.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "gravix",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$state/cni/ipam",
        "ranges": [[{ "subnet": "$pod_cidr" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "firewall", "backend": "iptables" },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
}

# Pods may talk to each other, to Services and to the node, never past the node: nothing bridged leaves, and a
# Service address kube-proxy has not translated (yet) is refused at once rather than sent on to the default route
# (a pod's first packet can beat kube-proxy's rules for a new Service). Refused, not dropped, so a client fails
# fast and retries on a new connection, which gets translated.
# The rules live in a native nftables table of their own, in base chains hooked before iptables' filter table
# (priority filter - 10), not in iptables' FORWARD: kube-router's policy controller puts its jump first in FORWARD
# and ACCEPTs there what the policies allow. An accept ends only the base chain it is in, a reject in any base
# chain of the hook is final: the guard and the refused addresses hold whatever the enforcer accepts, and the
# enforcer runs for the cluster's whole life (docs/adr/0129). iptables' own mangle or raw table could only drop:
# REJECT is allowed in its filter table alone.
setup_guard() {
  nft -f - <<EOF
add table ip $guard_table
add set ip $guard_table refused { type ipv4_addr . inet_service; }
add chain ip $guard_table forward { type filter hook forward priority filter - 10; policy accept; }
add chain ip $guard_table output { type filter hook output priority filter - 10; policy accept; }
flush chain ip $guard_table forward
flush chain ip $guard_table output
add rule ip $guard_table forward ip daddr . tcp dport @refused reject with tcp reset
add rule ip $guard_table forward iifname "$bridge" oifname != "$bridge" meta l4proto tcp reject with tcp reset
add rule ip $guard_table forward iifname "$bridge" oifname != "$bridge" reject with icmp type port-unreachable
add rule ip $guard_table output ip daddr $service_cidr meta l4proto tcp reject with tcp reset
add rule ip $guard_table output ip daddr $service_cidr reject with icmp type port-unreachable
EOF
}

# Pods' TCP connections to a pod address and port are reset, whatever the NetworkPolicies allow, until the pair is
# deleted again (deleting a pair never added is an error): a test's outage of one component as the pods see it,
# while the kubelet's probes from the host still pass.
refuse() { # add|delete address port
  if [ $# != 3 ] || { [ "$1" != add ] && [ "$1" != delete ]; }; then
    die "usage: cluster.sh refuse add|delete <address> <port>"
  fi
  nft "$1" element ip "$guard_table" refused "{ $2 . $3 }"
}

# ---------------------------------------------------------------- certificates and credentials

sign() { # name subject ca [san] [extended-key-usage]
  local name=$1 subject=$2 ca=$3 san=${4:-} eku=${5:-clientAuth}
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/$name.key" 2>/dev/null
  openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/$ca.crt" -CAkey "$pki/$ca.key" -CAcreateserial \
    -days 30 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
}

new_ca() { # name
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/$1.key" 2>/dev/null
  openssl req -x509 -new -key "$pki/$1.key" -subj "/CN=$1" -days 30 -out "$pki/$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

kubeconfig() { # file user token
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: gravix-test
  cluster:
    server: https://$node_ip:$apiserver_port
    certificate-authority: $pki/ca.crt
users:
- name: $2
  user:
    token: $3
contexts:
- name: gravix-test
  context: { cluster: gravix-test, user: $2 }
current-context: gravix-test
EOF
  chmod 600 "$1"
}

setup_pki() {
  [ -e "$pki/done" ] && return
  rm -rf "$pki" && mkdir -p "$pki"
  new_ca ca
  new_ca front-proxy-ca
  sign apiserver "/CN=kube-apiserver" ca \
    "IP:$kubernetes_service_ip,IP:$node_ip,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
    serverAuth
  sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" ca
  sign front-proxy-client "/CN=front-proxy-client" front-proxy-ca
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/sa.key" 2>/dev/null
  openssl ec -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  # Static bearer tokens, one per component: user name, uid and groups as kubeadm would give them.
  local user uid groups token
  : >"$pki/tokens.csv"
  while read -r user uid groups; do
    token=$(openssl rand -hex 24)
    printf '%s,%s,%s,"%s"\n' "$token" "$user" "$uid" "$groups" >>"$pki/tokens.csv"
    kubeconfig "$state/${user##*:}.kubeconfig" "$user" "$token"
  done <<EOF
admin 1 system:masters
system:node:$node_name 2 system:nodes
system:kube-controller-manager 3 system:authenticated
system:kube-scheduler 4 system:authenticated
system:kube-proxy 5 system:authenticated
EOF
  touch "$pki/done"
}

# ---------------------------------------------------------------- components

start_etcd() {
  start_daemon etcd "$cache_dir/etcd-$ETCD_VERSION/etcd" --name "$node_name" --data-dir "$state/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
    --initial-cluster "$node_name=http://127.0.0.1:23800" --unsafe-no-fsync --log-level warn
  wait_for etcd 30 curl -fsS "http://127.0.0.1:$etcd_port/health"
}

start_apiserver() {
  start_daemon kube-apiserver "$cache_dir/kube-apiserver-$KUBERNETES_VERSION/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address "$node_ip" --advertise-address "$node_ip" --secure-port "$apiserver_port" \
    --service-cluster-ip-range "$service_cidr" --service-node-port-range 30000-32767 \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" --token-auth-file "$pki/tokens.csv" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --allow-privileged=true \
    --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --requestheader-client-ca-file "$pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
    --enable-aggregator-routing=true --profiling=false
  wait_for kube-apiserver 90 "$kubectl" get --raw /readyz
}

start_controllers() {
  start_daemon kube-controller-manager "$kube_bin/kube-controller-manager" \
    --kubeconfig "$state/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "$state/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "$state/kube-controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --service-cluster-ip-range "$service_cidr" --controllers '*,-bootstrapsigner,-tokencleaner' \
    --node-monitor-grace-period 20s --profiling=false
  start_daemon kube-scheduler "$kube_bin/kube-scheduler" --kubeconfig "$state/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig "$state/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig "$state/kube-scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --profiling=false
}

start_containerd() {
  mkdir -p "$run/containerd" "$containerd_root" "$state/containerd-opt"
  write_if_changed "$state/containerd.toml" <<EOF
version = 2
root = "$containerd_root"
state = "$run/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$containerd_sock"
[ttrpc]
  address = "$run/containerd/containerd.sock.ttrpc"
[debug]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$state/containerd-opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "testbin.local/pause:3.10"
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$state/cni/net.d"
EOF
  start_daemon containerd /usr/bin/containerd --config "$state/containerd.toml"
  wait_for containerd 30 ctr version
}

ctr() { command ctr --address "$containerd_sock" --namespace k8s.io "$@"; }

# Imports each archive once: a stamp beside containerd's root records what was imported.
import_images() {
  local archive stamp
  mkdir -p "$containerd_root/gravix-imported"
  for archive in "$@"; do
    stamp=$containerd_root/gravix-imported/$(basename "$(dirname "$archive")")-$(basename "$archive")
    if [ -e "$stamp" ] && [ ! "$archive" -nt "$stamp" ]; then continue; fi
    log "importing $(basename "$archive")"
    ctr images import --no-unpack=false "$archive" >/dev/null
    touch "$stamp"
  done
}

start_kubelet() {
  mkdir -p "$state/kubelet"
  write_if_changed "$state/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $node_ip
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $pki/ca.crt }
authorization: { mode: Webhook }
cgroupDriver: cgroupfs
failSwapOn: false
clusterDNS: [$dns_service_ip]
clusterDomain: cluster.local
# Pods with dnsPolicy Default get no name server: nothing may ask anyone outside the cluster.
resolvConf: ""
containerRuntimeEndpoint: unix://$containerd_sock
evictionHard: { memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2% }
# Imported images can never be pulled again: the kubelet must not collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
# Mounted Secrets and ConfigMaps reach running pods within about this period (default 1m): the end-to-end test
# rotates an alert channel's HMAC key under the running alert pod and waits for the kubelet to swap the file.
syncFrequency: 10s
maxPods: 110
rotateCertificates: false
serverTLSBootstrap: false
EOF
  start_daemon kubelet "$kube_bin/kubelet" --config "$state/kubelet.yaml" \
    --kubeconfig "$state/$node_name.kubeconfig" --root-dir "$state/kubelet" --cert-dir "$state/kubelet/pki" \
    --hostname-override "$node_name" --node-ip "$node_ip" --node-labels ingress-ready=true
}

start_kube_proxy() {
  write_if_changed "$state/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
hostnameOverride: $node_name
clientConnection: { kubeconfig: $state/kube-proxy.kubeconfig }
clusterCIDR: $pod_cidr
nodePortAddresses: [$node_ip/32]
bindAddress: $node_ip
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: { maxPerCore: 0 }
EOF
  start_daemon kube-proxy "$kube_bin/kube-proxy" --config "$state/kube-proxy.yaml"
}

node_ready() {
  "$kubectl" get node "$node_name" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -qx True
}

apply_addons() {
  sed -e "s#@DNS_SERVICE_IP@#$dns_service_ip#g" -e "s#@COREDNS_VERSION@#$COREDNS_VERSION#g" \
    -e "s#@METRICS_SERVER_VERSION@#$METRICS_SERVER_VERSION#g" \
    -e "s#@LOCAL_PATH_PROVISIONER_VERSION@#$LOCAL_PATH_PROVISIONER_VERSION#g" \
    -e "s#@DEBIAN_SUITE@#$DEBIAN_SUITE#g" -e "s#@NODE_IP@#$node_ip#g" \
    -e "s#'@INGRESS_NODE_PORT@'#$ingress_node_port#g" -e "s#@STORAGE_DIR@#$state/volumes#g" \
    "$repo_root/testbin/cluster/addons.yaml" | "$kubectl" apply -f - >/dev/null
  local d
  for d in kube-system/coredns kube-system/metrics-server local-path-storage/local-path-provisioner \
    ingress/ingress-controller; do
    "$kubectl" -n "${d%/*}" rollout status "deployment/${d#*/}" --timeout=180s >/dev/null ||
      die "add-on $d did not become ready (logs: $logs)"
  done
  wait_for "the metrics API" 120 "$kubectl" get --raw /apis/metrics.k8s.io/v1beta1/nodes
}

up() {
  require
  local start=$SECONDS images
  images=$(images_dir)
  # Leftovers of a run that did not finish (a killed test run, a reboot) go before anything starts again.
  if [ -e "$state/pki/done" ] && ! status 2>/dev/null; then
    log "removing what a previous cluster left behind"
    down
  fi
  mkdir -p "$state" "$run" "$logs"
  [ -e "$run/pids" ] || rm -f "$logs"/*.log
  setup_network
  setup_pki
  start_etcd
  start_apiserver
  start_controllers
  start_containerd
  import_images "$images"/*.tar
  start_kubelet
  start_kube_proxy
  wait_for "node $node_name Ready" 120 node_ready
  log "node Ready after $((SECONDS - start)) s"
  netpol_start
  apply_addons
  log "cluster up after $((SECONDS - start)) s"
  echo "KUBECONFIG=$KUBECONFIG"
  echo "INGRESS_URL=http://$node_ip:$ingress_node_port"
}

# ---------------------------------------------------------------- NetworkPolicy enforcement

# kube-router's chains, rule sets and the jumps to them: its network policy controller names them so.
netpol_chains='KUBE-ROUTER-|KUBE-NWPLCY-|KUBE-POD-FW-'

netpol_bin() {
  # The key testbin/cluster/provision.sh builds it under (netpol_key): kube-router's version and its main's hash.
  local key
  key=$KUBE_ROUTER_VERSION-$(sha256sum <"$repo_root/testbin/cluster/netpol/main.go" | cut -c1-12)
  echo "$cache_dir/kube-router-netpol-$key/kube-router-netpol"
}

# kube-router's firewall puts its jump first in iptables' FORWARD and ACCEPTs there what the policies allow; the
# guard and the refused addresses are in their own nftables table (setup_guard), which that ACCEPT cannot skip, so
# it runs from `up` to `down` (docs/adr/0129).
netpol_start() {
  local bin
  bin=$(netpol_bin)
  [ -x "$bin" ] || die "missing $bin: run npm run testbin cluster"
  command -v ipset >/dev/null || die "missing ipset: run npm run testbin cluster"
  start_daemon kube-router-netpol "$bin" --kubeconfig "$KUBECONFIG" --hostname-override "$node_name" \
    --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false \
    --service-cluster-ip-range "$service_cidr" --health-port 0 --metrics-port 0
  wait_for "kube-router's firewall chains" 120 iptables -S KUBE-ROUTER-FORWARD
}

netpol_stop() {
  stop_daemon kube-router-netpol
  delete_chains "$netpol_chains"
  local set
  for set in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-SRC-|KUBE-DST-|TMP-)' || true); do
    ipset destroy "$set" 2>/dev/null || true
  done
}

# ---------------------------------------------------------------- teardown

down() {
  [ "$(id -u)" = 0 ] || die "needs root"
  local name pid c ns
  # The enforcer first (it would write its chains again), then the node, so nothing restarts pods while they go.
  command -v ipset >/dev/null && netpol_stop
  for name in kubelet kube-proxy kube-scheduler kube-controller-manager; do stop_daemon "$name"; done
  if [ -S "$containerd_sock" ]; then
    for c in $(ctr containers list -q 2>/dev/null || true); do
      ctr tasks kill -s SIGKILL "$c" >/dev/null 2>&1 || true
    done
    sleep 0.5
    for c in $(ctr containers list -q 2>/dev/null || true); do
      ctr tasks delete -f "$c" >/dev/null 2>&1 || true
      ctr containers delete "$c" >/dev/null 2>&1 || true
    done
  fi
  stop_daemon containerd
  # Leftover container shims (containerd-shim-runc-v2 outlives containerd) and their processes.
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $containerd_sock" 2>/dev/null || true); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  stop_daemon kube-apiserver
  stop_daemon etcd
  # Mounts the kubelet and containerd made (volumes, shm, rootfs, network namespaces), deepest first.
  awk -v a="$state/" -v b="$run/" -v c="$containerd_root/" -v n=/run/netns/cni- \
    'index($2, a) == 1 || index($2, b) == 1 || index($2, c) == 1 || index($2, n) == 1 { print $2 }' \
    /proc/self/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  for ns in /run/netns/cni-*; do
    [ -e "$ns" ] || continue
    ip netns delete "$(basename "$ns")" 2>/dev/null || rm -f "$ns"
  done
  ip link delete "$bridge" 2>/dev/null || true
  ip link delete "$node_if" 2>/dev/null || true
  delete_chains
  command -v nft >/dev/null && { nft delete table ip "$guard_table" 2>/dev/null || true; }
  rm -rf "$run" "$state/etcd" "$state/kubelet" "$state/cni" "$state/pki" "$state/volumes" "$state"/*.kubeconfig
  # The container snapshots (images stay in containerd's root for the next bring-up).
  rm -rf "$containerd_root/io.containerd.grpc.v1.cri/containers" "$containerd_root/io.containerd.grpc.v1.cri/sandboxes"
  log "down"
}

# Removes every chain kube-proxy, the CNI plugins, kube-router and this script made (or those whose names match
# the given extended regex), from every table of both families, and the jumps to them.
delete_chains() {
  local names=${1:-KUBE-|CNI-|GRAVIX-} cmd table chain rule
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null || continue
    for table in filter nat mangle raw; do
      "$cmd" -t "$table" -S 2>/dev/null | { grep -E -- "-j ($names)" || true; } | sed 's/^-A/-D/' |
        while read -r rule; do
          # -S quotes comments with spaces the way a shell would.
          eval "$cmd -t $table $rule" 2>/dev/null || true
        done
      for chain in $("$cmd" -t "$table" -S 2>/dev/null | awk -v re="^-N ($names)" '$0 ~ re { print $2 }'); do
        "$cmd" -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$cmd" -t "$table" -S 2>/dev/null | awk -v re="^-N ($names)" '$0 ~ re { print $2 }'); do
        "$cmd" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

status() {
  [ -e "$KUBECONFIG" ] && node_ready
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  import)
    shift
    import_images "$@"
    ;;
  tag) ctr images tag --force "$2" "$3" >/dev/null ;;
  refuse)
    shift
    refuse "$@"
    ;;
  netpol)
    case ${2:-} in
      start) netpol_start ;;
      stop) netpol_stop ;;
      *) die "usage: cluster.sh netpol start|stop" ;;
    esac
    ;;
  build-gravix-images)
    bash "$repo_root/testbin/cluster/images.sh" gravix "$(images_dir)" "$state/gravix-images" "$2"
    import_images "$state/gravix-images"/*.tar
    ;;
  *)
    echo "usage: cluster.sh up | down | status | import <archive.tar>... | tag <image> <name> | build-gravix-images <tag> | netpol start|stop | refuse add|delete <address> <port>" >&2
    exit 2
    ;;
esac
