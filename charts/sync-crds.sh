#!/usr/bin/env bash
# Copies the generated GravixPipeline CRD into the operator chart's crds/ folder (Helm installs CRDs from there
# before any template). The source of truth is crds/gravix-pipeline-spec.ts; crds/write-crd.ts renders it to
# crds/generated/. The copy is run through prettier because `npm run lint` checks the chart; the content is
# the same YAML, and charts/gravix-operator.int.test.ts fails when it differs from what the code renders.
#   charts/sync-crds.sh          copy
#   charts/sync-crds.sh --check  exit 1 if the chart's copy is stale
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
src_dir="$repo/crds/generated"
dst_dir="$repo/charts/gravix-operator/crds"
check="${1:-}"

shopt -s nullglob
sources=("$src_dir"/*.yaml)
if [ "${#sources[@]}" -eq 0 ]; then
  echo "sync-crds: no CRD YAML in $src_dir; generate it first (crds/write-crd.ts)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stale=0
for src in "${sources[@]}"; do
  name="$(basename "$src")"
  dst="$dst_dir/$name"
  # --stdin-filepath makes prettier use the repo's config for the chart path.
  (cd "$repo" && npx --no-install prettier --log-level warn --stdin-filepath "$dst") <"$src" >"$work/$name"
  if cmp -s "$work/$name" "$dst"; then continue; fi
  stale=1
  if [ "$check" = "--check" ]; then
    echo "sync-crds: $dst differs from $src; run charts/sync-crds.sh" >&2
  else
    mkdir -p "$dst_dir"
    cp "$work/$name" "$dst"
    echo "sync-crds: updated $dst"
  fi
done
if [ "$check" = "--check" ]; then exit "$stale"; fi
