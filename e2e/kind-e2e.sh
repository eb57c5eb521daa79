#!/usr/bin/env bash
# End-to-end test on a throwaway kind cluster, for machines with Docker (and GitHub Actions):
#   create the cluster -> build and load the images -> install ingress-nginx -> helm install the operator ->
#   apply e2e/sample-pipeline.yaml -> send request facts through the ingress -> wait for a rollup ->
#   query the API -> tear down.
#
# Needs: docker, kind, kubectl, helm, curl, jq.
# Usage:
#   e2e/kind-e2e.sh          the whole round trip on a new kind cluster
#   e2e/kind-e2e.sh verify   only send facts and check the rollup, against a running Gravix (INGRESS_URL,
#                            QUERY_URL); reads the keys from the pipeline's Secret with kubectl unless both
#                            GRAVIX_INGEST_KEY and GRAVIX_QUERY_TOKEN are set; needs curl and jq.
# Environment:
#   KIND_CLUSTER_NAME   cluster name (gravix-e2e)
#   KIND_NODE_IMAGE     node image (kindest/node:v1.34.0)
#   INGRESS_NGINX_REF   ingress-nginx release for its kind manifest (controller-v1.13.0)
#   IMAGE_TAG           tag for the locally built images, must match spec.version in the sample (e2e)
#   KEEP_CLUSTER=1      leave the cluster running afterwards (to debug)
#   SKIP_BUILD=1        reuse images already built with IMAGE_TAG
#   ARTIFACTS_DIR       where diagnostics go on failure (test-artifacts/e2e)
#   INGRESS_URL         where request facts are sent (http://127.0.0.1:8080, the kind ingress)
#   QUERY_URL           where the query API answers (INGRESS_URL)
#   GRAVIX_INGRESS_HOST the Host header to send, for an Ingress reached by address (the kind ingress, a NodePort);
#                       default: gravix.localtest.me (the sample's host) when INGRESS_URL is not set, else none, so
#                       the URL's own host is sent (INGRESS_URL=https://gravix.example.com reaches that host's rules)
#   GRAVIX_NAMESPACE    namespace of the pipeline (gravix-e2e)
#   GRAVIX_PIPELINE     name of the pipeline (e2e); its Secret <name>-api-keys holds the keys
#   GRAVIX_INGEST_KEY   key for POST /api/v1/facts (default: `ingest-key` of the pipeline's Secret)
#   GRAVIX_QUERY_TOKEN  token for the query API (default: `query-token` of the pipeline's Secret)
#   RESEND_SETTLE_SECONDS  wait after re-sending the batch before checking it was not double counted (90)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cluster="${KIND_CLUSTER_NAME:-gravix-e2e}"
node_image="${KIND_NODE_IMAGE:-kindest/node:v1.34.0}"
ingress_ref="${INGRESS_NGINX_REF:-controller-v1.13.0}"
tag="${IMAGE_TAG:-e2e}"
artifacts="${ARTIFACTS_DIR:-$repo/test-artifacts/e2e}"
# Short names, as the charts default to them; kind load puts them on the node, so nothing is pulled.
operator_image="gravix/gravix-operator:$tag"
workers_image="gravix/gravix-workers:$tag"
namespace="${GRAVIX_NAMESPACE:-gravix-e2e}"
pipeline="${GRAVIX_PIPELINE:-e2e}"
# The Host header the Ingress routes by: the sample's host on the kind ingress (reached as 127.0.0.1), else none
# unless told (an installation's INGRESS_URL names its host, which a Host header would override).
ingress_host() {
  if [ -n "${INGRESS_URL:-}" ]; then
    echo "${GRAVIX_INGRESS_HOST:-}"
  else
    echo "${GRAVIX_INGRESS_HOST:-gravix.localtest.me}"
  fi
}
host="$(ingress_host)"
ingress_url="${INGRESS_URL:-http://127.0.0.1:8080}"
query_url="${QUERY_URL:-$ingress_url}"
service_name="e2e-checkout"

log() { printf '\n==> %s\n' "$*" >&2; }
fail() {
  printf 'e2e: FAILED: %s\n' "$*" >&2
  exit 1
}

require_tools() {
  local missing=()
  for tool in docker kind kubectl helm curl jq; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [ "${#missing[@]}" -gt 0 ]; then fail "missing tools: ${missing[*]}"; fi
  docker info >/dev/null 2>&1 || fail "docker is installed but its daemon is not reachable"
}

# Runs until `cmd` succeeds or `timeout_s` passes: wait_for <what> <timeout_s> <cmd...>
wait_for() {
  local what="$1" timeout_s="$2"
  shift 2
  local deadline=$((SECONDS + timeout_s))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then fail "timed out after ${timeout_s}s waiting for $what"; fi
    sleep 5
  done
  log "ok: $what"
}

collect_diagnostics() {
  mkdir -p "$artifacts"
  log "collecting diagnostics into $artifacts"
  kubectl get all,gravixpipelines,ingress,secrets,pvc,events -A -o wide >"$artifacts/cluster.txt" 2>&1 || true
  kubectl -n "$namespace" get gravixpipeline "$pipeline" -o yaml >"$artifacts/pipeline.yaml" 2>&1 || true
  kubectl -n gravix-system logs deploy/gravix-operator --tail=2000 >"$artifacts/operator.log" 2>&1 || true
  for workload in statefulset/ingest deploy/query deploy/rollup; do
    kubectl -n "$namespace" logs "${workload%%/*}/$pipeline-${workload#*/}" --all-containers --tail=2000 \
      >"$artifacts/${workload#*/}.log" 2>&1 || true
  done
  kubectl -n "$namespace" logs -l app.kubernetes.io/component=storage-setup --all-containers --tail=2000 \
    >"$artifacts/storage-setup.log" 2>&1 || true
  kind export logs "$artifacts/kind" --name "$cluster" >/dev/null 2>&1 || true
}

on_exit() {
  local status=$?
  if [ "$status" -ne 0 ]; then collect_diagnostics; fi
  if [ "${KEEP_CLUSTER:-0}" = "1" ]; then
    log "keeping cluster $cluster (kind delete cluster --name $cluster)"
  else
    log "deleting cluster $cluster"
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  fi
  exit "$status"
}

create_cluster() {
  if kind get clusters 2>/dev/null | grep -qx "$cluster"; then
    log "reusing kind cluster $cluster"
  else
    log "creating kind cluster $cluster ($node_image)"
    kind create cluster --name "$cluster" --config "$repo/kind-config.yaml" --image "$node_image" --wait 120s
  fi
  kubectl config use-context "kind-$cluster" >/dev/null
}

build_and_load_images() {
  if [ "${SKIP_BUILD:-0}" != "1" ]; then
    log "building $operator_image and $workers_image"
    docker build -f "$repo/Dockerfile.operator" -t "$operator_image" "$repo"
    docker build -f "$repo/Dockerfile.workers" -t "$workers_image" "$repo"
  fi
  log "loading images into kind"
  kind load docker-image --name "$cluster" "$operator_image" "$workers_image"
}

install_ingress_nginx() {
  log "installing ingress-nginx ($ingress_ref)"
  kubectl apply -f "https://raw.githubusercontent.com/kubernetes/ingress-nginx/$ingress_ref/deploy/static/provider/kind/deploy.yaml"
  kubectl -n ingress-nginx rollout status deployment/ingress-nginx-controller --timeout=300s
}

install_operator() {
  log "installing the operator chart"
  helm upgrade --install gravix-operator "$repo/charts/gravix-operator" \
    --namespace gravix-system --create-namespace --set watchAllNamespaces=true \
    --set image.tag="$tag" --set image.pullPolicy=Never \
    --wait --timeout 5m
}

apply_pipeline() {
  log "applying e2e/sample-pipeline.yaml"
  kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f -
  kubectl apply -f "$repo/e2e/sample-pipeline.yaml"
  kubectl -n "$namespace" wait "gravixpipeline/$pipeline" --for=condition=Available --timeout=15m
}

# The operator generates `<pipeline>-api-keys` once: `ingest-key` may only send, `query-token` may only read.
secret_key() {
  local override="$1" field="$2"
  if [ -n "$override" ]; then
    printf '%s\n' "$override"
    return
  fi
  kubectl -n "$namespace" get secret "$pipeline-api-keys" -o "jsonpath={.data.$field}" | base64 -d
}

# NDJSON request facts for the last few minutes: 2% errors, latencies 20..119 ms.
request_facts() {
  local now_ms count="$1"
  now_ms="$(($(date +%s) * 1000))"
  for i in $(seq 1 "$count"); do
    local status=200
    if [ $((i % 50)) -eq 0 ]; then status=503; fi
    printf '{"event_id":"e2e-%s-%d","timestamp":%d,"service":"%s","method":"GET","path":"/orders/%d","status_code":%d,"latency_ms":%d}\n' \
      "$RUN_ID" "$i" "$((now_ms - (i % 180) * 1000))" "$service_name" "$i" "$status" "$((20 + i % 100))"
  done
}

post_facts() {
  local key="$1" body="$2"
  curl -fsS -o "$artifacts/ingest-response.json" -X POST "$ingress_url/api/v1/facts" \
    ${host:+-H "Host: $host"} -H "Authorization: Bearer $key" -H 'Content-Type: application/x-ndjson' \
    --data-binary "@$body"
}

query() {
  local key="$1" path="$2"
  curl -fsS "$query_url$path" ${host:+-H "Host: $host"} -H "Authorization: Bearer $key"
}

service_listed() {
  query "$1" /api/v1/services | jq -e --arg s "$service_name" '.services | map(.service) | index($s) != null'
}

# Totals over the last hour from the minute metrics (workers/query/api-types.ts TimeseriesResponse):
# prints "<requests> <5xx errors>".
timeseries_totals() {
  local key="$1" from_ms to_ms
  to_ms="$(($(date +%s) * 1000 + 60000))"
  from_ms="$((to_ms - 3600000))"
  query "$key" "/api/v1/timeseries?service=$service_name&from=$from_ms&to=$to_ms" |
    jq -r '"\([.points[].requests] | add // 0) \([.points[].errors5xx] | add // 0)"'
}

# Late minutes are recomputed, so wait until every fact sent is counted.
rollup_counts_all() {
  local requests
  read -r requests _ < <(timeseries_totals "$1")
  [ "$requests" -ge "$2" ]
}

send_and_verify() {
  local key token facts_file
  key="$(secret_key "${GRAVIX_INGEST_KEY:-}" ingest-key)" || fail "cannot read secret $namespace/$pipeline-api-keys"
  token="$(secret_key "${GRAVIX_QUERY_TOKEN:-}" query-token)" || fail "cannot read secret $namespace/$pipeline-api-keys"
  [ -n "$key" ] || fail "secret $namespace/$pipeline-api-keys has no ingest-key"
  [ -n "$token" ] || fail "secret $namespace/$pipeline-api-keys has no query-token"
  mkdir -p "$artifacts"
  facts_file="$artifacts/facts.ndjson"
  request_facts 500 >"$facts_file"

  log "sending 500 request facts through the ingress (${host:-the host of $ingress_url})"
  wait_for "ingestion through the ingress to accept the batch" 300 post_facts "$key" "$facts_file"
  jq -e '.accepted == 500' "$artifacts/ingest-response.json" >/dev/null ||
    fail "ingest answered $(cat "$artifacts/ingest-response.json")"

  log "waiting for a rollup (every minute, open hour included)"
  wait_for "service $service_name in /api/v1/services" 600 service_listed "$token"
  wait_for "minute metrics counting 500 requests in /api/v1/timeseries" 300 rollup_counts_all "$token" 500
  local requests errors
  read -r requests errors < <(timeseries_totals "$token")
  [ "$requests" -eq 500 ] || fail "timeseries counted $requests requests, expected 500 (duplicates?)"
  [ "$errors" -eq 10 ] || fail "timeseries counted $errors 5xx errors, expected 10"
  log "ok: /api/v1/timeseries counts 500 requests and 10 5xx errors"

  log "re-sending the same batch: event_id makes it idempotent"
  post_facts "$key" "$facts_file" || fail "re-sending the batch was refused"
  sleep "${RESEND_SETTLE_SECONDS:-90}"
  read -r requests _ < <(timeseries_totals "$token")
  [ "$requests" -eq 500 ] || fail "after a re-send timeseries counted $requests requests, expected 500"
  log "ok: a re-sent batch is not double counted"
}

verify_only() {
  local tools=(curl jq)
  if [ -z "${GRAVIX_INGEST_KEY:-}" ] || [ -z "${GRAVIX_QUERY_TOKEN:-}" ]; then tools+=(kubectl); fi
  for tool in "${tools[@]}"; do command -v "$tool" >/dev/null 2>&1 || fail "missing tool: $tool"; done
  RUN_ID="$(date +%s)"
  send_and_verify
  log "verify passed"
}

main() {
  if [ "${1:-}" = "verify" ]; then
    verify_only
    return
  fi
  require_tools
  RUN_ID="$(date +%s)"
  trap on_exit EXIT
  create_cluster
  build_and_load_images
  install_ingress_nginx
  install_operator
  apply_pipeline
  send_and_verify
  log "e2e passed"
}

main "$@"
