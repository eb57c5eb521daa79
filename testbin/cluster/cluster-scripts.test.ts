import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { runTool } from '../harness/run-tool.js';
import { repoPath, requireShellcheck } from '../harness/testbin-paths.js';

/**
 * The test cluster's scripts are checked without starting anything (that needs root and minutes: npm run
 * test:cluster): valid bash, shellcheck-clean (a missing shellcheck fails the test), and every placeholder of the add-on
 * manifests filled in by cluster.sh.
 */
const scripts = [
  repoPath('testbin', 'cluster', 'cluster.sh'),
  repoPath('testbin', 'cluster', 'images.sh'),
  repoPath('testbin', 'cluster', 'provision.sh'),
  repoPath('testbin', 'cluster', 'images', 'trino', 'run-trino'),
  repoPath('scripts', 'testbin.sh'),
  repoPath('.ci', 'run'),
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

  it('fill in every placeholder of the add-on manifests', () => {
    const addons = readFileSync(repoPath('testbin', 'cluster', 'addons.yaml'), 'utf8');
    const clusterSh = readFileSync(repoPath('testbin', 'cluster', 'cluster.sh'), 'utf8');
    const placeholders = new Set(addons.match(/@[A-Z_]+@/g));
    expect(placeholders.size).toBeGreaterThan(0);
    for (const p of placeholders) expect(clusterSh).toMatch(new RegExp(`s#'?${p}'?#`));
  });
});
