#!/usr/bin/env bash
# Copies Gravix's self-monitoring (Prometheus rules, Grafana dashboard) into the operator chart's files/, where
# templates/prometheusrule.yaml and templates/grafana-dashboard.yaml read them (Helm cannot read outside a chart).
#   charts/sync-monitoring.sh          copy
#   charts/sync-monitoring.sh --check  exit 1 if a copy is stale
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dst_dir="$repo/charts/gravix-operator/files"
sources=(
  "$repo/dashboards/prometheus/gravix-rules.yaml"
  "$repo/dashboards/grafana/gravix-self-monitoring.json"
)

stale=0
for src in "${sources[@]}"; do
  dst="$dst_dir/$(basename "$src")"
  if ! cmp -s "$src" "$dst"; then
    stale=1
    if [ "${1:-}" = "--check" ]; then
      echo "sync-monitoring: $dst differs from $src; run charts/sync-monitoring.sh" >&2
    else
      mkdir -p "$dst_dir"
      cp "$src" "$dst"
      echo "sync-monitoring: updated $dst"
    fi
  fi
done
if [ "${1:-}" = "--check" ]; then exit "$stale"; fi
