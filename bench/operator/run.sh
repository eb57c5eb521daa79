#!/usr/bin/env bash
# Operator bench: builds the gravix CLI and the bench, then runs it against a real apiserver (prints JSON).
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsc -p tsconfig.build.json
npx tsc -p bench/operator/tsconfig.json
# The testbin harness locates versions.env relative to its own file; point the compiled copy at the real one.
mkdir -p dist/bench-operator/testbin
ln -sfn "$PWD/testbin/versions.env" dist/bench-operator/testbin/versions.env
exec node dist/bench-operator/bench/operator/operator-bench.js
