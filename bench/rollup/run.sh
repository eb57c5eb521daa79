#!/usr/bin/env bash
# Compiles the bench (bench/ is outside the build) and runs it; arguments go to rollup-bench.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=test-artifacts/bench-dist
node node_modules/typescript/bin/tsc bench/rollup/rollup-bench.ts bench/rollup/gravix-child.ts bench/rollup/duckdb-child.ts \
  workers/rollup/adapters/segment-scan-worker.ts \
  --outDir "$out" --rootDir . --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck --types node --strict
exec node "$out/bench/rollup/rollup-bench.js" "$@"
