#!/usr/bin/env bash
# Compiles the soak (bench/ is outside the build) and runs it; arguments go to soak.ts. Prints one JSON object.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=test-artifacts/bench-dist
node node_modules/typescript/bin/tsc bench/rollup/soak.ts \
  --outDir "$out" --rootDir . --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck --types node --strict
exec node "$out/bench/rollup/soak.js" "$@"
