# shellcheck shell=bash disable=SC2154 # cache_dir, repo_root, build_jobs and the versions come from scripts/testbin.sh
# Provisions the single-node test cluster's parts into the testbin cache (sourced by scripts/testbin.sh, which
# defines cache_dir, build_jobs, log, timed, go_build_kubernetes and the pinned versions):
#   - Debian packages: containerd, runc, the CNI plugins, iptables, nftables (the cluster's guard table), ipset,
#     conntrack, debootstrap, docker.io (dockerd only builds images, with its own data root, no iptables rules and
#     no bridge; testbin/cluster/images.sh)
#   - kubelet, kube-controller-manager, kube-scheduler, kube-proxy and kubectl: one multi-call binary built from
#     k8s.io/kubernetes (testbin/cluster/kube), like kube-apiserver
#   - CoreDNS, metrics-server and rancher's local-path-provisioner from their Go modules
#   - the test ingress controller (testbin/cluster/ingress) and the pause program (testbin/cluster/pause)
#   - the images the cluster runs, built locally and saved as archives (testbin/cluster/images.sh)
# testbin/cluster/cluster.sh starts and stops the cluster from these.

install_cluster_apt() {
  local missing=() pkg
  for pkg in containerd runc containernetworking-plugins iptables nftables ipset conntrack debootstrap docker.io \
    busybox-static gcc libc6-dev openssl; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  apt_cached=true
  if [ ${#missing[@]} -gt 0 ]; then
    apt_cached=false
    log "testbin: apt-get install ${missing[*]}"
    apt-get update -qq
    # The packages' own services stay stopped: the cluster runs its own containerd instance.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build_kube_node() {
  local out=$cache_dir/kube-node-$KUBERNETES_VERSION name
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  go_build_kubernetes "$repo_root/testbin/cluster/kube" "$out.tmp/kube"
  for name in kubelet kube-controller-manager kube-scheduler kube-proxy kubectl; do ln -s kube "$out.tmp/$name"; done
  mv "$out.tmp" "$out"
}

# go_install_to <output-dir> <package@version> [ldflags]
go_install_to() {
  rm -rf "$1.tmp"
  CGO_ENABLED=0 GOBIN="$1.tmp" nice -n 19 go install -p "$build_jobs" -trimpath -ldflags "-s -w ${3:-}" "$2"
  mv "$1.tmp" "$1"
}

build_coredns() {
  go_install_to "$cache_dir/coredns-$COREDNS_VERSION" "github.com/coredns/coredns@$COREDNS_VERSION"
}

build_metrics_server() {
  go_install_to "$cache_dir/metrics-server-$METRICS_SERVER_VERSION" \
    "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION" \
    "-X sigs.k8s.io/metrics-server/pkg/version.gitVersion=$METRICS_SERVER_VERSION"
}

build_local_path_provisioner() {
  go_install_to "$cache_dir/local-path-provisioner-$LOCAL_PATH_PROVISIONER_VERSION" \
    "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION"
}

# The small programs kept in this repository: keyed by their source's hash, so an edit rebuilds them.
cluster_sources_key() {
  cat "$repo_root"/testbin/cluster/ingress/main.go "$repo_root"/testbin/cluster/pause/pause.c | sha256sum | cut -c1-12
}

build_cluster_tools() {
  local out work
  out=$cache_dir/cluster-tools-$(cluster_sources_key)
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  work=$(mktemp -d)
  cp "$repo_root/testbin/cluster/ingress/main.go" "$work/"
  (cd "$work" && go mod init gravix.local/testbin/ingress >/dev/null 2>&1 &&
    CGO_ENABLED=0 nice -n 19 go build -trimpath -ldflags "-s -w" -o "$out.tmp/ingress-controller" .)
  rm -rf "$work"
  nice -n 19 gcc -Os -static -o "$out.tmp/pause" "$repo_root/testbin/cluster/pause/pause.c"
  strip "$out.tmp/pause"
  mv "$out.tmp" "$out"
}

# kube-router's network policy controller alone (testbin/cluster/netpol/main.go), the cluster's NetworkPolicy
# enforcer: keyed by kube-router's version and that main's hash. Its own main links GoBGP, the AWS SDK and the IPVS
# proxy too (85 min cold here); this one links client-go and the controller (docs/adr/0120).
netpol_key() {
  printf '%s-%s' "$KUBE_ROUTER_VERSION" "$(sha256sum <"$repo_root/testbin/cluster/netpol/main.go" | cut -c1-12)"
}

build_netpol() {
  local out work
  out=$cache_dir/kube-router-netpol-$(netpol_key)
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  work=$(new_wrapper_module "$repo_root/testbin/cluster/netpol")
  (cd "$work" && go get "github.com/cloudnativelabs/kube-router/v2@$KUBE_ROUTER_VERSION" && go mod tidy &&
    CGO_ENABLED=0 nice -n 19 go build -p "$build_jobs" -trimpath -ldflags "-s -w" -o "$out.tmp/kube-router-netpol" .)
  rm -rf "$work"
  mv "$out.tmp" "$out"
}

cluster_images_key() {
  # Everything the third-party images are made of; the Gravix images are built per run (e2e).
  {
    cat "$repo_root/testbin/versions.env" "$repo_root/testbin/cluster/images.sh"
    cat "$repo_root"/testbin/cluster/images/*/*
    cluster_sources_key
    node --version
    npm --version
  } | sha256sum | cut -c1-12
}

build_cluster_images() {
  # One image set at a time (about 1.7 GB): an older key's set goes.
  rm -rf "$cache_dir"/cluster-images-*
  bash "$repo_root/testbin/cluster/images.sh" base-images "$cache_dir/cluster-images-$(cluster_images_key)" \
    "$cache_dir/cluster-tools-$(cluster_sources_key)"
}

provision_cluster() {
  local start end
  start=$(date +%s)
  install_cluster_apt
  end=$(date +%s)
  report cluster-apt "$DEBIAN_SUITE" $((end - start)) "$apt_cached" /usr/bin/containerd
  timed kube-node "$KUBERNETES_VERSION" "$cache_dir/kube-node-$KUBERNETES_VERSION/kube" build_kube_node
  timed coredns "$COREDNS_VERSION" "$cache_dir/coredns-$COREDNS_VERSION/coredns" build_coredns
  timed metrics-server "$METRICS_SERVER_VERSION" \
    "$cache_dir/metrics-server-$METRICS_SERVER_VERSION/metrics-server" build_metrics_server
  timed local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" \
    "$cache_dir/local-path-provisioner-$LOCAL_PATH_PROVISIONER_VERSION/local-path-provisioner" \
    build_local_path_provisioner
  run_component kube-router-netpol
  timed cluster-tools "$(cluster_sources_key)" "$cache_dir/cluster-tools-$(cluster_sources_key)/pause" \
    build_cluster_tools
  timed cluster-images "$(cluster_images_key)" "$cache_dir/cluster-images-$(cluster_images_key)/done" \
    build_cluster_images
}
