#!/usr/bin/env bash
# Ingestion fault soak: builds the gravix CLI (the soak kills it as a real process), then runs the soak; prints
# JSON. Arguments go to fault-soak.ts (--cycles-per-state N, --store local|minio|both, --seed N). Needs MinIO
# from `npm run testbin` for the minio store.
set -euo pipefail
cd "$(dirname "$0")/../../.."
npx tsc -p tsconfig.build.json
npx tsc -p bench/ingest/fault-soak/tsconfig.json
# The testbin harness locates versions.env relative to its own file; point the compiled copy at the real one.
mkdir -p dist/bench-fault-soak/testbin
ln -sfn "$PWD/testbin/versions.env" dist/bench-fault-soak/testbin/versions.env
exec node dist/bench-fault-soak/bench/ingest/fault-soak/fault-soak.js "$@"
