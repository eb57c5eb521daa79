#!/usr/bin/env bash
# Provisions the real components the integration tests run, into a cache keyed
# by version, so a second run costs seconds. Usage:
#   scripts/testbin.sh [all|apt|etcd|kube-apiserver|helm|minio|trino|schemathesis|otelcol|otel-python|dex|cluster|
#     kube-router-netpol]...
# `all` is every component but `cluster` (the single-node Kubernetes of testbin/cluster/, which needs root and
# changes the host when it runs): `npm run testbin cluster` adds it.
# Prints one JSON line per component on stdout with how long it took and whether it was cached. A build's own
# output (pages of `go: downloading`, Maven, pip) goes to a log file under the cache's logs/; stderr gets a
# progress line every 30 s and, when a build fails, the end of its log.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../testbin/versions.env
source "$repo_root/testbin/versions.env"

cache_dir=${GRAVIX_TESTBIN_DIR:-$HOME/.cache/gravix/testbin}
mkdir -p "$cache_dir"
# sum.golang.org is not reachable from every machine we build on; the module
# proxy still serves content-addressed zips and go.sum pins what we built.
export GOSUMDB=off GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
# Builds share the machine with running tests: they run niced, this many packages at a time.
build_jobs=${GRAVIX_BUILD_JOBS:-2}

log() { printf '%s\n' "$*" >&2; }

report() { # name version seconds cached path
  printf '{"component":"%s","version":"%s","seconds":%s,"cached":%s,"path":"%s"}\n' "$@"
}

# Runs a builder with its output in $cache_dir/logs/<name>.log, printing progress to stderr every 30 s.
run_logged() { # name builder-function
  local name=$1 builder=$2 logfile=$cache_dir/logs/$1.log pid waited=0 status=0
  mkdir -p "$cache_dir/logs"
  log "testbin: building $name (log: $logfile)"
  "$builder" >"$logfile" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    waited=$((waited + 1))
    if [ $((waited % 30)) -eq 0 ]; then
      log "testbin: $name still building, ${waited} s, $(grep -c '^go: downloading' "$logfile" || true) Go modules" \
        "downloaded, $(wc -l <"$logfile") log lines"
    fi
  done
  wait "$pid" || status=$?
  if [ "$status" -ne 0 ]; then
    log "testbin: building $name failed (exit $status); the end of $logfile:"
    tail -n 40 "$logfile" >&2
    exit "$status"
  fi
}

timed() { # name version target-file builder-function
  local name=$1 version=$2 target=$3 builder=$4 start end
  start=$(date +%s)
  if [ -e "$target" ]; then
    report "$name" "$version" 0 true "$target"
    return
  fi
  run_logged "$name" "$builder"
  end=$(date +%s)
  report "$name" "$version" $((end - start)) false "$target"
}

new_wrapper_module() { # src-dir -> prints a temp module dir holding src's main.go
  local work
  work=$(mktemp -d)
  cp "$1"/main.go "$work"/
  (cd "$work" && go mod init "gravix.local/testbin/$(basename "$1")" >/dev/null 2>&1)
  echo "$work"
}

build_etcd() {
  local out=$cache_dir/etcd-$ETCD_VERSION work
  work=$(new_wrapper_module "$repo_root/testbin/etcd")
  mkdir -p "$out.tmp"
  (cd "$work" && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" && go mod tidy &&
    go build -trimpath -ldflags "-s -w" -o "$out.tmp/etcd" .)
  rm -rf "$work"
  mv "$out.tmp" "$out"
}

kubernetes_gomod_replaces() {
  # Every staging module k8s.io/kubernetes replaces with ./staging/... is
  # published as k8s.io/<name> v0.<minor>.<patch>. The go command fetches the
  # go.mod from whatever module proxy `go env GOPROXY` names.
  local staging_version="v0.${KUBERNETES_VERSION#v1.}" gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')
  sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod" |
    while read -r mod; do printf 'replace %s => %s %s\n' "$mod" "$mod" "$staging_version"; done
}

kubernetes_ldflags() {
  local minor pkg ldflags="-s -w"
  minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$ldflags"
}

# Builds a wrapper main.go (testbin/<dir>) against k8s.io/kubernetes: go_build_kubernetes <src-dir> <output>
go_build_kubernetes() {
  local work
  work=$(new_wrapper_module "$1")
  kubernetes_gomod_replaces >>"$work/go.mod"
  (cd "$work" && go get "k8s.io/kubernetes@$KUBERNETES_VERSION" && go mod tidy &&
    nice -n 19 go build -p "$build_jobs" -trimpath -ldflags "$(kubernetes_ldflags)" -o "$2" .)
  rm -rf "$work"
}

build_kube_apiserver() {
  local out=$cache_dir/kube-apiserver-$KUBERNETES_VERSION
  mkdir -p "$out.tmp"
  go_build_kubernetes "$repo_root/testbin/kube-apiserver" "$out.tmp/kube-apiserver"
  mv "$out.tmp" "$out"
}

build_helm() {
  local out=$cache_dir/helm-$HELM_VERSION
  GOBIN="$out.tmp" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  mv "$out.tmp" "$out"
}

build_minio() {
  local out=$cache_dir/minio-$MINIO_VERSION
  GOBIN="$out.tmp" go install -trimpath -ldflags "-s -w" "github.com/minio/minio@$MINIO_VERSION"
  mv "$out.tmp" "$out"
}

build_trino() {
  # Trino is published on Maven Central as a server tarball plus one zip per
  # plugin; we only unpack the Hive plugin the tests use.
  local out=$cache_dir/trino-$TRINO_VERSION m2=${MAVEN_REPO:-$HOME/.m2/repository}
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  mvn -q -B dependency:get "-Dartifact=io.trino:trino-server-core:$TRINO_VERSION:tar.gz" -Dtransitive=false
  mvn -q -B dependency:get "-Dartifact=io.trino:trino-hive:$TRINO_VERSION:zip" -Dtransitive=false
  tar -xzf "$m2/io/trino/trino-server-core/$TRINO_VERSION/trino-server-core-$TRINO_VERSION.tar.gz" \
    -C "$out.tmp" --strip-components=1
  mkdir -p "$out.tmp/plugin"
  (cd "$out.tmp/plugin" && unzip -q "$m2/io/trino/trino-hive/$TRINO_VERSION/trino-hive-$TRINO_VERSION.zip")
  mv "$out.tmp" "$out"
}

build_schemathesis() {
  # A venv cannot be moved (its scripts name their interpreter by path): it is built in place and marked complete.
  # pip takes its index and certificates from its own configuration (pip.conf, PIP_INDEX_URL), as npm does from
  # .npmrc; no registry is named here.
  local out=$cache_dir/schemathesis-$SCHEMATHESIS_VERSION
  rm -rf "$out"
  python3 -m venv "$out"
  "$out/bin/pip" install --no-input --disable-pip-version-check --progress-bar off \
    -r "$repo_root/testbin/schemathesis/requirements.txt"
  "$out/bin/schemathesis" --version
  touch "$out/complete"
}

build_otelcol() {
  # The collector's builder (ocb) generates a main module from testbin/otelcol/builder-config.yaml and builds it;
  # both come from the Go module proxy at the pinned version.
  local out=$cache_dir/otelcol-$OTELCOL_VERSION work
  work=$(mktemp -d)
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  GOBIN="$work/bin" go install "go.opentelemetry.io/collector/cmd/builder@$OTELCOL_VERSION"
  sed "s/@OTELCOL_VERSION@/$OTELCOL_VERSION/g" "$repo_root/testbin/otelcol/builder-config.yaml" >"$work/config.yaml"
  (cd "$work" && nice -n 19 "$work/bin/builder" --config "$work/config.yaml")
  cp "$work/build/otelcol-gravix" "$out.tmp/otelcol-gravix"
  rm -rf "$work"
  mv "$out.tmp" "$out"
}

build_otel_python() {
  # The OpenTelemetry Python SDK and its OTLP/HTTP exporter (PyPI), for the OTLP receiver's integration tests.
  # Built in place like schemathesis; pip's index comes from its own configuration.
  local out=$cache_dir/otel-python-$OTEL_PYTHON_VERSION
  rm -rf "$out"
  python3 -m venv "$out"
  "$out/bin/pip" install --no-input --disable-pip-version-check --progress-bar off \
    -r "$repo_root/testbin/otel-python/requirements.txt"
  "$out/bin/python" -c 'import opentelemetry.exporter.otlp.proto.http.trace_exporter'
  touch "$out/complete"
}

build_dex() {
  # Dex's go.mod replaces its api/v2 module with ./api/v2, a separate module that is not in the root module's zip,
  # so `go install` refuses it: build from a writable copy of the module with that replace dropped, taking the
  # published api/v2 module of the same release instead. CGO off: the tests use Dex's memory storage, and compiling
  # SQLite's C amalgamation is most of a cold build's time on a loaded machine.
  local out=$cache_dir/dex-$DEX_VERSION src work
  src=$(go mod download -json "github.com/dexidp/dex@$DEX_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  work=$(mktemp -d)
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  cp -r "$src"/. "$work"/ && chmod -R u+w "$work"
  (cd "$work" && go mod edit -dropreplace=github.com/dexidp/dex/api/v2 &&
    GOFLAGS="$GOFLAGS -mod=mod" go mod download &&
    CGO_ENABLED=0 GOFLAGS="$GOFLAGS -mod=mod" nice -n 19 go build -p "$build_jobs" -trimpath -ldflags "-s -w" \
      -o "$out.tmp/dex" ./cmd/dex)
  rm -rf "$work"
  mv "$out.tmp" "$out"
}

# Debian packages the tests run: command -> package.
apt_packages=(chromium:chromium promtool:prometheus prometheus-alertmanager:prometheus-alertmanager unzip:unzip
  shellcheck:shellcheck)

install_apt() {
  local missing=() entry start end cached=true
  start=$(date +%s)
  for entry in "${apt_packages[@]}"; do
    command -v "${entry%%:*}" >/dev/null || missing+=("${entry#*:}")
  done
  # schemathesis runs in a venv of the system Python 3.
  python3 -m venv --help >/dev/null 2>&1 || missing+=(python3 python3-venv)
  if [ ${#missing[@]} -gt 0 ]; then
    cached=false
    log "testbin: apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  end=$(date +%s)
  report apt "$DEBIAN_SUITE" $((end - start)) "$cached" /usr/bin
}

run_component() {
  case $1 in
    apt) install_apt ;;
    etcd) timed etcd "$ETCD_VERSION" "$cache_dir/etcd-$ETCD_VERSION/etcd" build_etcd ;;
    kube-apiserver) timed kube-apiserver "$KUBERNETES_VERSION" \
      "$cache_dir/kube-apiserver-$KUBERNETES_VERSION/kube-apiserver" build_kube_apiserver ;;
    helm) timed helm "$HELM_VERSION" "$cache_dir/helm-$HELM_VERSION/helm" build_helm ;;
    minio) timed minio "$MINIO_VERSION" "$cache_dir/minio-$MINIO_VERSION/minio" build_minio ;;
    trino) timed trino "$TRINO_VERSION" "$cache_dir/trino-$TRINO_VERSION/bin/launcher" build_trino ;;
    schemathesis) timed schemathesis "$SCHEMATHESIS_VERSION" \
      "$cache_dir/schemathesis-$SCHEMATHESIS_VERSION/complete" build_schemathesis ;;
    otelcol) timed otelcol "$OTELCOL_VERSION" "$cache_dir/otelcol-$OTELCOL_VERSION/otelcol-gravix" build_otelcol ;;
    otel-python) timed otel-python "$OTEL_PYTHON_VERSION" \
      "$cache_dir/otel-python-$OTEL_PYTHON_VERSION/complete" build_otel_python ;;
    dex) timed dex "$DEX_VERSION" "$cache_dir/dex-$DEX_VERSION/dex" build_dex ;;
    cluster) provision_cluster ;;
    kube-router-netpol) timed kube-router-netpol "$(netpol_key)" \
      "$cache_dir/kube-router-netpol-$(netpol_key)/kube-router-netpol" build_netpol ;;
    *)
      log "testbin: unknown component '$1' (expected all, apt, etcd, kube-apiserver, helm, minio, trino," \
        "schemathesis, otelcol, otel-python, dex, cluster, kube-router-netpol)"
      exit 2
      ;;
  esac
}

# shellcheck source-path=SCRIPTDIR source=../testbin/cluster/provision.sh
source "$repo_root/testbin/cluster/provision.sh"

components=()
for c in "${@:-all}"; do
  if [ "$c" = all ]; then components+=(apt etcd kube-apiserver helm minio trino schemathesis otelcol otel-python dex); else components+=("$c"); fi
done
for c in "${components[@]}"; do run_component "$c"; done
