import { runTool } from '../harness/run-tool.js';
import { repoPath } from '../harness/testbin-paths.js';

/**
 * scripts/testbin.sh prints one JSON line per component on stdout and nothing else (builds log to files): before,
 * apt printed no line at all and Trino's line began with Maven's ANSI resets (`\e[0m\e[0m...{"component"...`).
 * Run after provisioning, so every component is cached and this takes seconds.
 */
describe('scripts/testbin.sh all', () => {
  it('prints exactly one clean JSON line per component', async () => {
    const { stdout, exitCode } = await runTool('bash', [repoPath('scripts', 'testbin.sh'), 'all']);
    expect(exitCode).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(stdout).not.toMatch(/\x1b/);
    const lines = stdout.trimEnd().split('\n');
    const reports = lines.map((line) => JSON.parse(line) as { component: string; cached: boolean });
    expect(reports.map((r) => r.component)).toEqual([
      'apt',
      'etcd',
      'kube-apiserver',
      'helm',
      'minio',
      'trino',
      'schemathesis',
      'otelcol',
      'otel-python',
      'dex',
    ]);
    expect(reports.every((r) => r.cached)).toBe(true);
  });
});
