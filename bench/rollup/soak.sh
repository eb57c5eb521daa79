#!/usr/bin/env bash
# Kill -9 soak of the rollup: builds the gravix CLI (the processes under test) and the soak, then runs it; arguments
# go to soak.ts. Prints one JSON object; exits 1 when any trial found a mismatch.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsc -p tsconfig.build.json
out=test-artifacts/bench-dist
node node_modules/typescript/bin/tsc bench/rollup/soak.ts \
  --outDir "$out" --rootDir . --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck --types node --strict
# The testbin harness (MinIO) locates versions.env relative to its own file; point the compiled copy at the real one.
mkdir -p "$out/testbin"
ln -sfn "$PWD/testbin/versions.env" "$out/testbin/versions.env"
exec node "$out/bench/rollup/soak.js" --cli "$PWD/dist/cli/gravix.js" "$@"
