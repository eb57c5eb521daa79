#!/usr/bin/env bash
# `npm test`: everything the README promises is tested, in one command.
#  1. provisions what a fresh machine lacks (Debian packages, Go-built kube-apiserver/etcd/helm/MinIO and the
#     single-node cluster's parts, Trino from Maven Central, locally built images) into the version-keyed cache;
#  2. typechecks and lints (a failure stops here);
#  3. runs jest's unit and integration projects, then the cluster project (a real single-node Kubernetes is
#     started for it and torn down after; root needed) even when the first run failed, so one run reports all;
#  4. closes with one line summing both runs: "N passed, N failed" (", N skipped").
# `npm run test:all` (unit + integration) and `npm run test:cluster` run either half alone.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts

bash scripts/testbin.sh all cluster
npm run typecheck
npm run lint

status=0
npm run test:all 2>&1 | tee test-artifacts/test-all.log || status=1
npm run test:cluster 2>&1 | tee test-artifacts/test-cluster.log || status=1

# The closing line of one jest run as "passed failed skipped"; a run that printed none counts one failure.
counts() {
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1 || true)
  if [ -z "$line" ]; then
    echo "0 1 0"
    return
  fi
  echo "$line" | awk '{ s = 0; if ($6 == "skipped") s = $5; print $1, $3, s }'
}
read -r p1 f1 s1 < <(counts test-artifacts/test-all.log)
read -r p2 f2 s2 < <(counts test-artifacts/test-cluster.log)
# Repeated at the end, where CI's tail shows them: the slowest files of both runs, then every failed test.
for log in test-artifacts/test-all.log test-artifacts/test-cluster.log; do
  grep -A 16 '^slowest test files' "$log" | grep -v -E '^(--)?$' || true
done
for log in test-artifacts/test-all.log test-artifacts/test-cluster.log; do
  sed -n '/^failed tests (/,/^$/p' "$log" || true
done
skipped=$((s1 + s2))
printf '\n%d passed, %d failed%s\n' $((p1 + p2)) $((f1 + f2)) "$([ "$skipped" -gt 0 ] && echo ", $skipped skipped")"
exit "$status"
