#!/usr/bin/env bash
# Query bench: builds the bench (with the testbin harness, for --engine trino) and runs it (prints JSON).
# Usage: bench/query/run.sh [--engine duckdb|trino] [--trino-only] [--density 0.25] [--iterations 15]
#        [--calls "services 7d,endpoints 24h"] [--baseline <dist/bench-query of another commit>]
#        bench/query/run.sh breakdown [--runs 3] [--calls "services 7d,endpoints 24h"]   (trino-breakdown.ts)
#        bench/query/run.sh duckdb-breakdown [--calls "endpoints 7d"]   (duckdb-breakdown.ts)
#        bench/query/run.sh service-map [--engine duckdb|trino] [--iterations 9]   (service-map-bench.ts)
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsc -p bench/query/tsconfig.json
# The testbin harness locates versions.env relative to its own file; point the compiled copy at the real one ...
mkdir -p dist/bench-query/testbin
ln -sfn "$PWD/testbin/versions.env" dist/bench-query/testbin/versions.env
# ... and at the sources of Gravix's Trino functions, which it builds for the Trino it starts (docs/adr/0146).
ln -sfn "$PWD/trino-functions" dist/bench-query/trino-functions
if [ "${1:-}" = breakdown ]; then
  shift
  exec node dist/bench-query/bench/query/trino-breakdown.js "$@"
fi
if [ "${1:-}" = service-map ]; then
  shift
  exec node dist/bench-query/bench/query/service-map-bench.js "$@"
fi
if [ "${1:-}" = duckdb-breakdown ]; then
  shift
  exec node dist/bench-query/bench/query/duckdb-breakdown.js "$@"
fi
exec node dist/bench-query/bench/query/query-bench.js "$@"
