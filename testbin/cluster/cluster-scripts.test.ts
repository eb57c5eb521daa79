import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runTool } from '../harness/run-tool.js';
import { repoPath, requireShellcheck } from '../harness/testbin-paths.js';

/**
 * The test cluster's scripts are checked without starting anything (that needs root and minutes: npm run
 * test:cluster): valid bash, shellcheck-clean (a missing shellcheck fails the test), and every placeholder of the add-on
 * manifests filled in by cluster.sh.
 */
const scripts = [
  repoPath('testbin', 'cluster', 'cluster.sh'),
  repoPath('testbin', 'cluster', 'daemon-loop.sh'),
  repoPath('testbin', 'cluster', 'images.sh'),
  repoPath('testbin', 'cluster', 'provision.sh'),
  repoPath('testbin', 'cluster', 'images', 'trino', 'run-trino'),
  repoPath('scripts', 'testbin.sh'),
  repoPath('.ci', 'run'),
  // Not a cluster script, but run by the Trino pods' init container (cdk8s/trino-functions.ts).
  repoPath('trino-functions', 'build.sh'),
];

describe('the test cluster scripts', () => {
  it.each(scripts.map((s) => [relative(repoPath(), s), s]))('%s is valid bash', async (_name, script) => {
    const result = await runTool('bash', ['-n', script]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('pass shellcheck', async () => {
    const shellcheck = requireShellcheck();
    const result = await runTool('bash', [
      '-c',
      `cd "$1" && shift && "$@"`,
      'bash',
      repoPath(),
      shellcheck,
      '-x',
      ...scripts,
    ]);
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('start daemons that hold none of the caller’s descriptors, so the cluster lock is free once cluster.sh up returns', async () => {
    // The lock on fd 9 as `flock /tmp/gravix-cluster.lock cluster.sh up` holds it; the daemon loop is started as
    // start_daemon starts it. Before daemon-loop.sh, every daemon kept fd 9 and the lock until cluster.sh down.
    const dir = mkdtempSync(join(tmpdir(), 'gx-daemon-loop-'));
    const result = await runTool('bash', [
      '-c',
      `lock="$1/cluster.lock"; loop="$2"
      ( exec 9>"$lock"; flock 9
        setsid bash "$loop" sleep 60 >"$1/daemon.log" 2>&1 </dev/null & echo $! >"$1/loop.pid" )
      pid=$(cat "$1/loop.pid")
      for _ in $(seq 1 200); do pgrep -P "$pid" -x sleep >/dev/null && break; sleep 0.05; done
      pgrep -P "$pid" -x sleep >/dev/null && echo "daemon running"
      if flock -n "$lock" true; then echo "lock free"; else echo "lock held"; fi
      kill -TERM -- "-$pid"`,
      'bash',
      dir,
      repoPath('testbin', 'cluster', 'daemon-loop.sh'),
    ]);
    expect(result.stdout).toBe('daemon running\nlock free\n');
    expect(result.exitCode).toBe(0);
  });

  it('fill in every placeholder of the add-on manifests', () => {
    const addons = readFileSync(repoPath('testbin', 'cluster', 'addons.yaml'), 'utf8');
    const clusterSh = readFileSync(repoPath('testbin', 'cluster', 'cluster.sh'), 'utf8');
    const placeholders = new Set(addons.match(/@[A-Z_]+@/g));
    expect(placeholders.size).toBeGreaterThan(0);
    for (const p of placeholders) expect(clusterSh).toMatch(new RegExp(`s#'?${p}'?#`));
  });
});
